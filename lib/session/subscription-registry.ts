import { Observable, throwError, type Subscriber } from 'rxjs';
import type { QoS, SubackPacket, Subscription, UnsubackPacket } from '../codec/packet.js';
import type { SubscribeProperties } from '../codec/properties.js';
import { ConnectionClosedError, SubscribeRefusedError } from '../errors.js';
import { ManualObserver } from './inbound-acks.js';
import { TopicTree, topicMatches } from './topic-tree.js';
import { matchingFilter } from './validate-topic.js';

/** What the registry asks of the session: cold SUBSCRIBE/UNSUBSCRIBE flows (see subscribeFlow). */
export interface SubscriptionRequests {
  subscribe(subscription: Subscription, properties: SubscribeProperties | undefined): Observable<SubackPacket>;
  unsubscribe(topicFilter: string): Observable<UnsubackPacket>;
}

/** Most messages held for observers not yet there (see {@link SubscriptionRegistry}). */
export const MAX_HELD = 1000;

const notConnected = (): Observable<never> => throwError(() => new ConnectionClosedError('not connected'));
const OFFLINE: SubscriptionRequests = { subscribe: notConnected, unsubscribe: notConnected };

/** The options of one observer's subscription (validated by the caller). */
export interface FilterOptions {
  readonly qos: QoS;
  readonly noLocal?: boolean;
  readonly retainAsPublished?: boolean;
  readonly retainHandling?: 0 | 1 | 2;
  readonly properties?: SubscribeProperties;
  /** `'manual'`: this observer acknowledges each message itself (see {@link ManualDelivery}). Default `'auto'`. */
  readonly ack?: 'auto' | 'manual';
}

/** How the connection hands messages to manual observers (given by {@link SubscriptionRegistry.restore}). */
export interface ManualDelivery<M> {
  /** The message to hand to one manual observer: its own view, whose ack() counts for it. */
  claim(message: M, observer: ManualObserver): M;
  /** A manual observer left; it may still hold unacknowledged messages. */
  left(observer: ManualObserver): void;
}

class FilterEntry<M> {
  readonly observers = new Set<Subscriber<M>>();
  /** The manual observers among {@link observers}, with their bookkeeping. */
  readonly manual = new Map<Subscriber<M>, ManualObserver>();
  /** Set once a SUBACK granted this filter (on the server's session, as far as we know). */
  granted = false;
  constructor(
    readonly filter: string,
    public qos: QoS,
    public options: FilterOptions,
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
 * - On a resumed session (`restore(true)`) the server may send messages for subscriptions no
 *   observer has claimed yet (the application subscribes a moment after CONNACK, e.g. after a
 *   restart). Such messages are held (at most {@link MAX_HELD}, the oldest dropped first) and
 *   delivered to the first observer of a matching filter, instead of being lost.
 * - An observer with `ack: 'manual'` gets, through the connection's {@link ManualDelivery}, its own
 *   view of each message (whose `ack()` counts for it); when it leaves, the delivery is told
 *   (`left`), so the connection can recycle itself if it still held unacknowledged messages.
 *   Held messages of a resumed session were acknowledged on arrival and are handed over as they are.
 * - Observers outlive connections: a request that fails because the connection is gone
 *   (ConnectionClosedError) leaves the filter in place, to be requested again by {@link restore}
 *   once a new connection is up; only {@link endAll} ends observers.
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
  /** Filters granted on the server whose UNSUBSCRIBE was lost with a connection. */
  private readonly stale = new Set<string>();
  private readonly tree = new TopicTree<FilterEntry<M>>();
  private current: M | undefined = undefined;
  private matched = false;
  private readonly deliver = (entry: FilterEntry<M>): void => {
    const message = this.current as M;
    this.matched = true;
    const manual = entry.manual;
    if (manual.size === 0) {
      for (const observer of entry.observers) observer.next(message);
      return;
    }
    const delivery = this.delivery;
    for (const observer of entry.observers) {
      const state = manual.get(observer);
      observer.next(state === undefined || delivery === undefined ? message : delivery.claim(message, state));
    }
  };
  private delivery: ManualDelivery<M> | undefined = undefined;
  private manualObservers = 0;
  /** Messages of a resumed session that no observer matched yet, oldest first. */
  private held: { readonly topic: string; readonly message: M }[] = [];
  private holding = false;

  /** @param requests where SUBSCRIBE/UNSUBSCRIBE go; by default nowhere until {@link restore} gives a connection. */
  constructor(private requests: SubscriptionRequests = OFFLINE) {}

  /** Number of filters with at least one observer. */
  get size(): number {
    return this.entries.size;
  }

  /** Number of observers subscribed with `ack: 'manual'`. */
  get manualCount(): number {
    return this.manualObservers;
  }

  /**
   * Messages on `filter`. Cold: the first observer of a filter sends SUBSCRIBE, the last one leaving
   * sends UNSUBSCRIBE. Errors with {@link SubscribeRefusedError}, or with what {@link endAll} is given.
   */
  observe(filter: string, options: FilterOptions): Observable<M> {
    return new Observable<M>((subscriber) => {
      let entry = this.entries.get(filter);
      if (options.ack === 'manual') this.manualObservers++;
      if (entry === undefined) {
        this.stale.delete(filter);
        entry = new FilterEntry<M>(filter, options.qos, options);
        this.entries.set(filter, entry);
        this.tree.add(matchingFilter(filter), entry);
        if (options.ack === 'manual') entry.manual.set(subscriber, new ManualObserver());
        entry.observers.add(subscriber);
        this.request(entry, options);
        if (this.held.length > 0) this.releaseHeld(filter, subscriber);
      } else {
        if (options.ack === 'manual') entry.manual.set(subscriber, new ManualObserver());
        entry.observers.add(subscriber);
        if (options.qos > entry.qos) {
          entry.qos = options.qos;
          entry.options = { ...entry.options, qos: options.qos };
          this.request(entry, options);
        }
      }
      const owner = entry;
      const manual = options.ack === 'manual';
      return () => {
        if (manual) this.manualObservers--;
        this.leave(owner, subscriber);
      };
    });
  }

  /**
   * Delivers `message` (on `topic`) to every matching observer, once each. On a resumed session a
   * message no observer matches is held for the first matching observer.
   */
  dispatch(topic: string, message: M): void {
    const previous = this.current; // dispatch may re-enter from an observer
    const previousMatched = this.matched;
    this.current = message;
    this.matched = false;
    try {
      this.tree.match(topic, this.deliver);
      if (!this.matched && this.holding) {
        this.held.push({ topic, message });
        if (this.held.length > MAX_HELD) this.held.shift();
      }
    } finally {
      this.current = previous;
      this.matched = previousMatched;
    }
  }

  /**
   * Brings a new connection up to date. Without a session on the server (`sessionPresent` false)
   * every active filter is subscribed again, once, with its options. With a resumed session the
   * server still has what it granted: only filters never granted (requested while disconnected, or
   * whose SUBACK was lost) are subscribed, and UNSUBSCRIBEs lost with the last connection are sent.
   * `delivery` hands messages to manual observers on this connection (without it they get the
   * message itself, with no acknowledgement to make).
   */
  restore(sessionPresent: boolean, requests: SubscriptionRequests = this.requests, delivery?: ManualDelivery<M>): void {
    this.requests = requests;
    this.delivery = delivery;
    this.holding = sessionPresent;
    if (!sessionPresent) this.held = [];
    const stale = [...this.stale];
    this.stale.clear();
    if (sessionPresent) {
      for (const filter of stale) this.requests.unsubscribe(filter).subscribe({ error: () => undefined });
    }
    for (const entry of [...this.entries.values()]) {
      if (sessionPresent && entry.granted) continue;
      entry.granted = false;
      this.request(entry, entry.options);
    }
  }

  /** The connection is gone: requests fail with ConnectionClosedError (and are retried by {@link restore}). */
  detach(): void {
    this.requests = OFFLINE;
    this.delivery = undefined;
  }

  /**
   * Ends every observer and forgets every filter (the connection is gone): with `error` when given,
   * else (a clean disconnect) by completing. Sends nothing.
   */
  endAll(error?: unknown): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.stale.clear();
    this.held = [];
    this.holding = false;
    for (const entry of entries) {
      this.tree.remove(matchingFilter(entry.filter), entry);
      for (const observer of [...entry.observers]) {
        if (error === undefined) observer.complete();
        else observer.error(error);
      }
      entry.observers.clear();
      entry.manual.clear();
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
        if (error instanceof ConnectionClosedError) {
          entry.granted = false; // asked again by restore() on the next connection
          return;
        }
        this.drop(entry);
        for (const observer of [...entry.observers]) observer.error(error);
        entry.observers.clear();
      },
    });
  }

  /** Hands the held messages matching `filter` to its first observer, in order. */
  private releaseHeld(filter: string, subscriber: Subscriber<M>): void {
    const match = matchingFilter(filter);
    const mine = this.held.filter((h) => topicMatches(match, h.topic));
    if (mine.length === 0) return;
    this.held = this.held.filter((h) => !mine.includes(h));
    for (const { message } of mine) subscriber.next(message);
  }

  private leave(entry: FilterEntry<M>, subscriber: Subscriber<M>): void {
    const manual = entry.manual.get(subscriber);
    if (manual !== undefined) {
      entry.manual.delete(subscriber);
      this.delivery?.left(manual);
    }
    if (!entry.observers.delete(subscriber) || entry.observers.size > 0) return;
    if (this.entries.get(entry.filter) !== entry) return; // refused or failed: nothing to undo
    this.drop(entry);
    const { filter, granted } = entry;
    this.requests.unsubscribe(filter).subscribe({
      error: (error: unknown) => {
        // Lost with the connection: a resumed session still has the subscription, so send it later.
        if (granted && error instanceof ConnectionClosedError && !this.entries.has(filter)) this.stale.add(filter);
      },
    });
  }

  private drop(entry: FilterEntry<M>): void {
    if (this.entries.get(entry.filter) === entry) this.entries.delete(entry.filter);
    this.tree.remove(matchingFilter(entry.filter), entry);
  }
}
