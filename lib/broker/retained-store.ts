import type { BrokerMessage } from './broker-message.js';

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

  /** Calls `visit` for each retained message whose topic `filter` matches. */
  match(filter: string, visit: (message: BrokerMessage) => void, now = Date.now()): void {
    const levels = filter.split('/');
    const expired: string[] = [];
    const emit = (message: BrokerMessage): void => {
      if (message.expiresAt !== undefined && message.expiresAt <= now) expired.push(message.topic);
      else visit(message);
    };
    this.walk(this.root, levels, 0, emit);
    for (const topic of expired) this.clear(topic.split('/'));
  }

  private walk(node: RetainedNode, levels: readonly string[], i: number, emit: (m: BrokerMessage) => void): void {
    if (i === levels.length) {
      if (node.message !== undefined) emit(node.message);
      return;
    }
    const level = levels[i];
    if (level === '#') {
      // '#' also matches the parent level [MQTT-4.7.1-2].
      if (node.message !== undefined && i > 0) emit(node.message);
      for (const [name, child] of node.children) {
        if (i === 0 && name.startsWith('$')) continue; // [MQTT-4.7.2-1]
        this.all(child, emit);
      }
      return;
    }
    if (level === '+') {
      for (const [name, child] of node.children) {
        if (i === 0 && name.startsWith('$')) continue; // [MQTT-4.7.2-1]
        this.walk(child, levels, i + 1, emit);
      }
      return;
    }
    const child = node.children.get(level);
    if (child !== undefined) this.walk(child, levels, i + 1, emit);
  }

  private all(node: RetainedNode, emit: (m: BrokerMessage) => void): void {
    if (node.message !== undefined) emit(node.message);
    for (const child of node.children.values()) this.all(child, emit);
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
