class FilterNode<V> {
  readonly children = new Map<string, FilterNode<V>>();
  values: Set<V> | undefined = undefined;
}

/**
 * The broker's tree of topic filters, keyed by level, for dispatching a message to the
 * subscriptions whose filter matches its topic without testing every subscription.
 *
 * Every walk is a loop over an explicit stack, never a recursion: topic and filter depth are chosen
 * by clients, and a 10 000-level topic must not overflow the call stack (issue 10, item 1). Matching
 * follows MQTT section 4.7: `+` matches exactly one level, `#` matches the parent level and any
 * number of levels below it [MQTT-4.7.1-2], and a topic whose first level starts with `$` is not
 * matched by a filter whose first level is a wildcard [MQTT-4.7.2-1]. Filters are assumed valid
 * (checked with the codec's `topicFilterProblem` first).
 *
 * @example
 * ```ts
 * const tree = new FilterTree<string>();
 * tree.add('sensors/+/temperature', 'a');
 * tree.match('sensors/kitchen/temperature', (value) => console.log(value)); // 'a'
 * ```
 */
export class FilterTree<V> {
  private readonly root = new FilterNode<V>();
  private count = 0;
  /** Reused walk stack (node and level index side by side); a nested match gets its own. */
  private readonly stackNodes: FilterNode<V>[] = [];
  private readonly stackLevels: number[] = [];
  private walking = false;

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
        child = new FilterNode<V>();
        node.children.set(level, child);
      }
      node = child;
    }
    if (node.values === undefined) node.values = new Set();
    if (node.values.has(value)) return false;
    node.values.add(value);
    this.count++;
    return true;
  }

  /** Removes `value` from `filter`. Returns false when it was not there. Prunes empty branches. */
  remove(filter: string, value: V): boolean {
    const levels = filter.split('/');
    const path: FilterNode<V>[] = [this.root];
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

  /** Calls `visit` for every value whose filter matches `topic`, once per matching filter. */
  match(topic: string, visit: (value: V) => void): void {
    const levels = topic.split('/');
    const dollar = levels[0].startsWith('$');
    const nested = this.walking;
    const nodes = nested ? [] : this.stackNodes;
    const indexes = nested ? [] : this.stackLevels;
    this.walking = true;
    try {
      nodes.push(this.root);
      indexes.push(0);
      while (nodes.length > 0) {
        let node = nodes.pop() as FilterNode<V>;
        let i = indexes.pop() as number;
        // Follow the exact path in this loop; only '+' branches wait on the stack.
        for (;;) {
          const wildcards = !(dollar && i === 0); // [MQTT-4.7.2-1]
          if (wildcards) {
            // '#' here matches the remaining levels, none included (the parent) [MQTT-4.7.1-2].
            const hash = node.children.get('#');
            if (hash !== undefined) visitAll(hash, visit);
          }
          if (i === levels.length) {
            visitAll(node, visit);
            break;
          }
          if (wildcards) {
            const plus = node.children.get('+');
            if (plus !== undefined) {
              nodes.push(plus);
              indexes.push(i + 1);
            }
          }
          const exact = node.children.get(levels[i]);
          if (exact === undefined) break;
          node = exact;
          i++;
        }
      }
    } finally {
      if (!nested) {
        this.walking = false;
        nodes.length = 0;
        indexes.length = 0;
      }
    }
  }
}

function visitAll<V>(node: FilterNode<V>, visit: (value: V) => void): void {
  if (node.values !== undefined) for (const value of node.values) visit(value);
}
