import { FilterTree } from './filter-tree.js';
import type { QoS } from '../codec/packet.js';

/** One subscription of one session, as held by the broker. Options are updated in place on re-subscribe. */
export interface BrokerSubscription<S> {
  readonly session: S;
  /** The filter that is matched (without a `$share/group/` prefix). */
  readonly filter: string;
  /** The shared subscription group, when the filter was `$share/{group}/{filter}`. */
  readonly group: string | undefined;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  subscriptionId: number | undefined;
}

interface SharedGroup<S> {
  readonly shared: true;
  readonly members: BrokerSubscription<S>[];
  next: number;
}

type Entry<S> = BrokerSubscription<S> | SharedGroup<S>;

/**
 * Every subscription of every session, indexed by a {@link FilterTree} (walked without recursion) so a message reaches its
 * subscribers without testing each one. Shared subscriptions (`$share/group/filter`) are held as one
 * group per (group, filter); each message goes to one member, round robin, preferring members whose
 * session is online.
 *
 * @example
 * ```ts
 * const index = new SubscriptionIndex<string>((s) => true);
 * index.add({ session: 'a', filter: 'x/+', group: undefined, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: undefined });
 * index.match('x/y', (sub) => console.log(sub.session));
 * ```
 */
export class SubscriptionIndex<S> {
  private readonly tree = new FilterTree<Entry<S>>();
  private readonly groups = new Map<string, SharedGroup<S>>();

  /** `isOnline` tells the shared-group picker which sessions can receive at once. */
  constructor(private readonly isOnline: (session: S) => boolean) {}

  /** Number of distinct entries in the tree (a shared group counts once). */
  get size(): number {
    return this.tree.size;
  }

  /** Adds a subscription. The caller removes an older subscription of the same session and filter first. */
  add(sub: BrokerSubscription<S>): void {
    if (sub.group === undefined) {
      this.tree.add(sub.filter, sub);
      return;
    }
    const key = groupKey(sub.group, sub.filter);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { shared: true, members: [], next: 0 };
      this.groups.set(key, group);
      this.tree.add(sub.filter, group);
    }
    group.members.push(sub);
  }

  /** Removes a subscription; returns false when it was not indexed. */
  remove(sub: BrokerSubscription<S>): boolean {
    if (sub.group === undefined) return this.tree.remove(sub.filter, sub);
    const key = groupKey(sub.group, sub.filter);
    const group = this.groups.get(key);
    if (group === undefined) return false;
    const i = group.members.indexOf(sub);
    if (i < 0) return false;
    group.members.splice(i, 1);
    if (group.next > i) group.next--;
    if (group.members.length === 0) {
      this.groups.delete(key);
      this.tree.remove(sub.filter, group);
    }
    return true;
  }

  /**
   * Calls `visit` for every non-shared subscription matching `topic`, and for one chosen member of
   * each matching shared group.
   */
  match(topic: string, visit: (sub: BrokerSubscription<S>) => void): void {
    this.tree.match(topic, (entry) => {
      if ('shared' in entry) {
        const member = this.pick(entry);
        if (member !== undefined) visit(member);
      } else {
        visit(entry);
      }
    });
  }

  /**
   * Calls `visit` for every non-shared subscription matching `topic` (shared groups are left out,
   * so their round robin does not move).
   */
  matchUnshared(topic: string, visit: (sub: BrokerSubscription<S>) => void): void {
    this.tree.match(topic, (entry) => {
      if (!('shared' in entry)) visit(entry);
    });
  }

  private pick(group: SharedGroup<S>): BrokerSubscription<S> | undefined {
    const n = group.members.length;
    // Round robin over the members; an offline member is passed over while another is online.
    for (let tried = 0; tried < n; tried++) {
      const i = (group.next + tried) % n;
      const member = group.members[i];
      if (this.isOnline(member.session)) {
        group.next = (i + 1) % n;
        return member;
      }
    }
    const member = group.members[group.next % n];
    group.next = (group.next + 1) % n;
    return member;
  }
}

function groupKey(group: string, filter: string): string {
  return `${group}\u0000${filter}`;
}

