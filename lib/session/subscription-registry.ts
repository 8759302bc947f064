import { Observable, type Subscriber } from 'rxjs';
import type { QoS, SubackPacket, Subscription, UnsubackPacket } from '../codec/packet.js';
import type { SubscribeProperties } from '../codec/properties.js';
import { SubscribeRefusedError } from '../errors.js';
import { TopicTree } from './topic-tree.js';
import { matchingFilter } from './validate-topic.js';

/** What the registry asks of the session: cold SUBSCRIBE/UNSUBSCRIBE flows (see subscribeFlow). */
export interface SubscriptionRequests {
  subscribe(subscription: Subscription, properties: SubscribeProperties | undefined): Observable<SubackPacket>;
  unsubscribe(topicFilter: string): Observable<UnsubackPacket>;
}

/** The options of one observer's subscription (validated by the caller). */
export interface FilterOptions {
  readonly qos: QoS;
  readonly noLocal?: boolean;
  readonly retainAsPublished?: boolean;
  readonly retainHandling?: 0 | 1 | 2;
  readonly properties?: SubscribeProperties;
}

class FilterEntry<M> {
  readonly observers = new Set<Subscriber<M>>();
  /** Set once a SUBACK granted this filter. */
  granted = false;
  constructor(
    readonly filter: string,
    public qos: QoS,
  ) {}
}

/**
 * Ref-counted broker subscriptions shared by every observer of the same topic filter, and dispatch
 * of inbound messages through a {@link TopicTree}.
 *
 * - The first observer of a filter sends SUBSCRIBE; later observers share it, and one asking for a
 *   higher QoS makes it re-SUBSCRIBE with that QoS (other options come from the first observer).
 *   A later observer does not receive the retained messages the first SUBSCRIBE brought.
 * - When the last observer of a filter leaves, UNSUBSCRIBE is sent (after the SUBSCRIBE if its
 *   SUBACK is still outstanding: the broker handles them in order).
 * - A refusal (SUBACK code >= 0x80) errors every observer of the filter with
 *   {@link SubscribeRefusedError}.
 * - {@link dispatch} delivers a message once to every observer whose filter matches, however many
 *   of its filters overlap.
 *
 * @example
 * ```ts
 * const registry = new SubscriptionRegistry<MqttMessage>(requests);
 * registry.observe('a/+', { qos: 1 }).subscribe(console.log); // sends SUBSCRIBE a/+ QoS 1
 * registry.dispatch('a/b', message);
 * ```
 */
export class SubscriptionRegistry<M> {
  private readonly entries = new Map<string, FilterEntry<M>>();
  private readonly tree = new TopicTree<FilterEntry<M>>();
  private current: M | undefined = undefined;
  private readonly deliver = (entry: FilterEntry<M>): void => {
    const message = this.current as M;
    for (const observer of entry.observers) observer.next(message);
  };

  constructor(private readonly requests: SubscriptionRequests) {}

  /** Number of filters with at least one observer. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Messages on `filter`. Cold: the first observer of a filter sends SUBSCRIBE, the last one leaving
   * sends UNSUBSCRIBE. Errors with {@link SubscribeRefusedError}, or with what {@link endAll} is given.
   */
  observe(filter: string, options: FilterOptions): Observable<M> {
    return new Observable<M>((subscriber) => {
      let entry = this.entries.get(filter);
      if (entry === undefined) {
        entry = new FilterEntry<M>(filter, options.qos);
        this.entries.set(filter, entry);
        this.tree.add(matchingFilter(filter), entry);
        entry.observers.add(subscriber);
        this.request(entry, options);
      } else {
        entry.observers.add(subscriber);
        if (options.qos > entry.qos) {
          entry.qos = options.qos;
          this.request(entry, options);
        }
      }
      const owner = entry;
      return () => this.leave(owner, subscriber);
    });
  }

  /** Delivers `message` (on `topic`) to every matching observer, once each. */
  dispatch(topic: string, message: M): void {
    const previous = this.current; // dispatch may re-enter from an observer
    this.current = message;
    try {
      this.tree.match(topic, this.deliver);
    } finally {
      this.current = previous;
    }
  }

  /**
   * Ends every observer and forgets every filter (the connection is gone): with `error` when given,
   * else (a clean disconnect) by completing. Sends nothing.
   */
  endAll(error?: unknown): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      this.tree.remove(matchingFilter(entry.filter), entry);
      for (const observer of [...entry.observers]) {
        if (error === undefined) observer.complete();
        else observer.error(error);
      }
      entry.observers.clear();
    }
  }

  private request(entry: FilterEntry<M>, options: FilterOptions): void {
    const subscription: Subscription = {
      topicFilter: entry.filter,
      qos: entry.qos,
      noLocal: options.noLocal,
      retainAsPublished: options.retainAsPublished,
      retainHandling: options.retainHandling,
    };
    this.requests.subscribe(subscription, options.properties).subscribe({
      next: (suback) => {
        const code = suback.reasonCodes[0];
        if (code < 0x80) {
          entry.granted = true;
          return;
        }
        // A failure code (>= 0x80): this filter has no subscription (any more).
        const wasGranted = entry.granted;
        this.drop(entry);
        const error = new SubscribeRefusedError(entry.filter, code, { reasonString: suback.properties?.reasonString });
        for (const observer of [...entry.observers]) observer.error(error);
        entry.observers.clear();
        if (wasGranted) this.requests.unsubscribe(entry.filter).subscribe({ error: () => undefined });
      },
      error: (error: unknown) => {
        if (this.entries.get(entry.filter) !== entry) return;
        this.drop(entry);
        for (const observer of [...entry.observers]) observer.error(error);
        entry.observers.clear();
      },
    });
  }

  private leave(entry: FilterEntry<M>, subscriber: Subscriber<M>): void {
    if (!entry.observers.delete(subscriber) || entry.observers.size > 0) return;
    if (this.entries.get(entry.filter) !== entry) return; // refused or failed: nothing to undo
    this.drop(entry);
    this.requests.unsubscribe(entry.filter).subscribe({ error: () => undefined });
  }

  private drop(entry: FilterEntry<M>): void {
    if (this.entries.get(entry.filter) === entry) this.entries.delete(entry.filter);
    this.tree.remove(matchingFilter(entry.filter), entry);
  }
}
