import type { BrokerMessage } from './broker-message.js';

/** Walk marker: every message in this subtree matches (below a '#'). */
const EVERYTHING = -1;

class RetainedNode {
  readonly children = new Map<string, RetainedNode>();
  message: BrokerMessage | undefined = undefined;
}

/**
 * The retained message of each topic, in a tree keyed by topic level so a new subscription finds
 * the messages its filter matches without scanning every topic.
 *
 * A message with an empty payload clears the topic [MQTT-3.3.1-10]; a new one replaces the old
 * [MQTT-3.3.1-5]. Expired messages (MQTT 5 message expiry) are dropped when met.
 *
 * @example
 * ```ts
 * const store = new RetainedStore();
 * store.set(message);
 * store.match('sensors/+', (m) => console.log(m.topic));
 * ```
 */
export class RetainedStore {
  private readonly root = new RetainedNode();
  private count = 0;

  /** Number of topics that hold a retained message. */
  get size(): number {
    return this.count;
  }

  /** Stores, replaces or (empty payload) clears the retained message of `message.topic`. */
  set(message: BrokerMessage): void {
    const levels = message.topic.split('/');
    if (message.payload.length === 0) {
      this.clear(levels);
      return;
    }
    let node = this.root;
    for (const level of levels) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = new RetainedNode();
        node.children.set(level, child);
      }
      node = child;
    }
    if (node.message === undefined) this.count++;
    node.message = message;
  }

  /** The retained message of exactly `topic`. */
  get(topic: string): BrokerMessage | undefined {
    let node: RetainedNode | undefined = this.root;
    for (const level of topic.split('/')) {
      node = node.children.get(level);
      if (node === undefined) return undefined;
    }
    return node.message;
  }

  /** Every retained message (expired ones included), depth first, without recursion. */
  *values(): IterableIterator<BrokerMessage> {
    const nodes: RetainedNode[] = [this.root];
    for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
      if (node.message !== undefined) yield node.message;
      for (const child of node.children.values()) nodes.push(child);
    }
  }

  /**
   * Calls `visit` for each retained message whose topic `filter` matches, in depth-first order.
   * The walk is a loop over an explicit stack: a client chooses the depth of the topics it retains,
   * and a 10 000-level topic must not overflow the call stack of a later `#` subscriber.
   */
  match(filter: string, visit: (message: BrokerMessage) => void, now = Date.now()): void {
    const levels = filter.split('/');
    const expired: string[] = [];
    const emit = (message: BrokerMessage | undefined): void => {
      if (message === undefined) return;
      if (message.expiresAt !== undefined && message.expiresAt <= now) expired.push(message.topic);
      else visit(message);
    };
    // Each entry is a node and the index of the filter level to match there; EVERYTHING marks a
    // node below a '#', whose whole subtree matches.
    const nodes: RetainedNode[] = [this.root];
    const indexes: number[] = [0];
    const push = (node: RetainedNode, i: number, skipDollar: boolean): void => {
      // Children pushed last-first, so they are visited in insertion order.
      const children = [...node.children];
      for (let c = children.length - 1; c >= 0; c--) {
        const [name, child] = children[c];
        if (skipDollar && name.startsWith('$')) continue; // [MQTT-4.7.2-1]
        nodes.push(child);
        indexes.push(i);
      }
    };
    while (nodes.length > 0) {
      const node = nodes.pop() as RetainedNode;
      const i = indexes.pop() as number;
      if (i === EVERYTHING) {
        emit(node.message);
        push(node, EVERYTHING, false);
        continue;
      }
      if (i === levels.length) {
        emit(node.message);
        continue;
      }
      const level = levels[i];
      if (level === '#') {
        // '#' also matches the parent level [MQTT-4.7.1-2].
        if (i > 0) emit(node.message);
        push(node, EVERYTHING, i === 0);
      } else if (level === '+') {
        push(node, i + 1, i === 0);
      } else {
        const child = node.children.get(level);
        if (child !== undefined) {
          nodes.push(child);
          indexes.push(i + 1);
        }
      }
    }
    for (const topic of expired) this.clear(topic.split('/'));
  }

  private clear(levels: readonly string[]): void {
    const path: RetainedNode[] = [this.root];
    let node = this.root;
    for (const level of levels) {
      const child = node.children.get(level);
      if (child === undefined) return;
      path.push(child);
      node = child;
    }
    if (node.message === undefined) return;
    node.message = undefined;
    this.count--;
    for (let i = levels.length; i > 0; i--) {
      const n = path[i];
      if (n.message !== undefined || n.children.size > 0) break;
      path[i - 1].children.delete(levels[i - 1]);
    }
  }
}
