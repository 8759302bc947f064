/**
 * A tree of topic filters keyed by level, for dispatching a message to the subscriptions whose
 * filter matches its topic without testing every subscription.
 *
 * Matching follows MQTT section 4.7: `+` matches exactly one level, `#` matches the parent level and
 * any number of levels below it, and a topic whose first level starts with `$` is not matched by a
 * filter whose first level is a wildcard [MQTT-4.7.2-1]. Filters and topics are assumed valid
 * (validate them with the codec's topic checks first).
 *
 * @example
 * ```ts
 * const tree = new TopicTree<string>();
 * tree.add('sensors/+/temperature', 'a');
 * tree.match('sensors/kitchen/temperature', (value, filter) => console.log(value, filter));
 * ```
 */
export class TopicTree<V> {
  private readonly root = new TopicNode<V>();
  private count = 0;

  /** Number of (filter, value) entries. */
  get size(): number {
    return this.count;
  }

  /** Adds `value` under `filter`. Returns false when that exact pair was already present. */
  add(filter: string, value: V): boolean {
    let node = this.root;
    for (const level of filter.split('/')) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = new TopicNode<V>();
        node.children.set(level, child);
      }
      node = child;
    }
    if (node.values === undefined) node.values = new Map();
    if (node.values.has(value)) return false;
    node.values.set(value, filter);
    this.count++;
    return true;
  }

  /** Removes `value` from `filter`. Returns false when it was not there. Prunes empty branches. */
  remove(filter: string, value: V): boolean {
    const path: TopicNode<V>[] = [this.root];
    const levels = filter.split('/');
    let node = this.root;
    for (const level of levels) {
      const child = node.children.get(level);
      if (child === undefined) return false;
      path.push(child);
      node = child;
    }
    if (node.values === undefined || !node.values.delete(value)) return false;
    this.count--;
    if (node.values.size === 0) node.values = undefined;
    for (let i = levels.length; i > 0; i--) {
      const n = path[i];
      if (n.values !== undefined || n.children.size > 0) break;
      path[i - 1].children.delete(levels[i - 1]);
    }
    return true;
  }

  /** The values stored under exactly `filter` (no wildcard matching). */
  valuesOf(filter: string): V[] {
    let node: TopicNode<V> | undefined = this.root;
    for (const level of filter.split('/')) {
      node = node.children.get(level);
      if (node === undefined) return [];
    }
    return node.values ? [...node.values.keys()] : [];
  }

  /**
   * Calls `visit(value, filter)` for every stored value whose filter matches `topic`. A value stored
   * under several matching filters is visited once per filter.
   */
  match(topic: string, visit: (value: V, filter: string) => void): void {
    const levels = topic.split('/');
    matchNode(this.root, levels, 0, levels[0].startsWith('$'), visit);
  }

  /** True when some stored filter matches `topic`. */
  hasMatch(topic: string): boolean {
    let found = false;
    this.match(topic, () => {
      found = true;
    });
    return found;
  }
}

class TopicNode<V> {
  readonly children = new Map<string, TopicNode<V>>();
  values: Map<V, string> | undefined = undefined;
}

function visitAll<V>(node: TopicNode<V>, visit: (value: V, filter: string) => void): void {
  if (node.values !== undefined) for (const [value, filter] of node.values) visit(value, filter);
}

function matchNode<V>(
  node: TopicNode<V>,
  levels: readonly string[],
  index: number,
  dollar: boolean,
  visit: (value: V, filter: string) => void,
): void {
  // '#' at this depth matches the remaining levels, including none (the parent) [MQTT-4.7.1-2].
  const wildcardsAllowed = !(dollar && index === 0); // [MQTT-4.7.2-1]
  if (wildcardsAllowed) {
    const hash = node.children.get('#');
    if (hash !== undefined) visitAll(hash, visit);
  }
  if (index === levels.length) {
    visitAll(node, visit);
    return;
  }
  const exact = node.children.get(levels[index]);
  if (exact !== undefined) matchNode(exact, levels, index + 1, dollar, visit);
  if (wildcardsAllowed) {
    const plus = node.children.get('+');
    if (plus !== undefined) matchNode(plus, levels, index + 1, dollar, visit);
  }
}

/**
 * True when `filter` matches `topic` under the rules of {@link TopicTree} (MQTT section 4.7). Pure;
 * both are assumed valid.
 *
 * @example
 * ```ts
 * topicMatches('sensors/+/temperature', 'sensors/kitchen/temperature'); // true
 * topicMatches('sensors/#', 'sensors');                                 // true: '#' matches the parent level
 * topicMatches('#', '$SYS/broker/uptime');                              // false [MQTT-4.7.2-1]
 * ```
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (t[0].startsWith('$') && (f[0] === '+' || f[0] === '#')) return false; // [MQTT-4.7.2-1]
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
