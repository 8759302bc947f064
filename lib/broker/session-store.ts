import { Session, type DropReason } from './session.js';
import type { SessionStoreJournal } from './session-journal.js';
import type { SubscriptionIndex } from './subscription-index.js';

/** What a {@link SessionStore} tells its owner. */
export interface SessionStoreHooks {
  /** A session ended without its client (expiry 0 on release, expiry timer, eviction): flush its will. */
  readonly onExpire?: (session: Session) => void;
  /** A stored session expired or was evicted; `dropped` is how many QoS 1/2 messages it still held. */
  readonly onEnded?: (session: Session, reason: 'expired' | 'evicted', dropped: number) => void;
  /** A session dropped a message (queue full, too large for its client). */
  readonly onDrop?: (session: Session, reason: DropReason) => void;
  /** Shared count of sessions whose queue is full. */
  readonly pressure?: { full: number };
  /** The persistence log: sessions with an expiry are written there. */
  readonly journal?: SessionStoreJournal;
}

/**
 * The sessions of a broker, by client id, held in memory. A session whose client has gone is kept
 * for its expiry interval (MQTT 5 Session Expiry Interval; for 3.1.1 persistent sessions the
 * broker's `sessionExpiry311` limit) and then discarded with its subscriptions and queued messages.
 * Disconnected sessions are also kept in the order their clients left, so that when
 * `maxSessions` is reached the oldest one can make room ({@link SessionStore.evictOldestOffline}).
 *
 * @example
 * ```ts
 * const store = new SessionStore(index, 1000, 100);
 * const session = store.create('sensor-1');
 * store.release(session); // client gone: expires after session.expiryInterval seconds
 * ```
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly timers = new Map<Session, ReturnType<typeof setTimeout>>();
  /** Stored sessions without a connection, oldest departure first (a Set keeps insertion order). */
  private readonly offline = new Set<Session>();

  constructor(
    private readonly index: SubscriptionIndex<Session>,
    private readonly maxQueued: number,
    readonly maxSessions: number,
    private readonly hooks: SessionStoreHooks = {},
  ) {}

  /** Stored sessions whose client is not connected. */
  get offlineCount(): number {
    return this.offline.size;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(clientId: string): Session | undefined {
    return this.sessions.get(clientId);
  }

  has(clientId: string): boolean {
    return this.sessions.has(clientId);
  }

  /** True when one more session would exceed the limit. */
  get full(): boolean {
    return this.sessions.size >= this.maxSessions;
  }

  /** Creates a fresh session, discarding any previous one of the same client id. */
  create(clientId: string): Session {
    const old = this.sessions.get(clientId);
    if (old !== undefined) this.discard(old);
    const session = new Session(clientId, this.maxQueued, this.hooks.onDrop, this.hooks.pressure, this.hooks.journal);
    this.sessions.set(clientId, session);
    return session;
  }

  /** A client is back on this session: its expiry stops. */
  resume(session: Session): void {
    if (this.offline.has(session)) this.hooks.journal?.online(session);
    this.stopExpiry(session);
  }

  private stopExpiry(session: Session): void {
    this.offline.delete(session);
    const timer = this.timers.get(session);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(session);
    }
  }

  /**
   * The session's client has gone (at `departedAt`, epoch ms; earlier for a session read back from
   * the persistence log): discard now (expiry 0) or when the expiry interval ends.
   */
  release(session: Session, departedAt = Date.now()): void {
    if (this.sessions.get(session.clientId) !== session) return;
    if (session.expiryInterval === 0) {
      this.discard(session);
      this.hooks.onExpire?.(session);
      return;
    }
    this.stopExpiry(session);
    this.offline.add(session);
    this.hooks.journal?.offline(session, departedAt);
    if (session.expiryInterval === Infinity) return;
    // setTimeout holds at most 2^31-1 ms (24.8 days); longer intervals re-arm.
    const arm = (remainingMs: number): void => {
      const step = Math.min(remainingMs, 2 ** 31 - 1);
      const timer = setTimeout(() => {
        if (remainingMs > step) return arm(remainingMs - step);
        this.timers.delete(session);
        this.end(session, 'expired');
      }, step);
      timer.unref?.();
      this.timers.set(session, timer);
    };
    const remaining = departedAt + session.expiryInterval * 1000 - Date.now();
    if (remaining <= 0) return this.end(session, 'expired');
    arm(remaining);
  }

  /**
   * Discards the stored session whose client left first, to make room for a new one. Returns false
   * when every stored session is online. Its undelivered messages are dropped and counted.
   */
  evictOldestOffline(): boolean {
    const oldest = this.offline.values().next();
    if (oldest.done === true) return false;
    this.end(oldest.value, 'evicted');
    return true;
  }

  private end(session: Session, reason: 'expired' | 'evicted'): void {
    const dropped = session.heldCount;
    this.discard(session);
    this.hooks.onEnded?.(session, reason, dropped);
    this.hooks.onExpire?.(session);
  }

  /** Removes the session, its subscriptions from the index, and its messages. */
  discard(session: Session): void {
    this.stopExpiry(session);
    this.hooks.journal?.dropped(session);
    if (this.sessions.get(session.clientId) === session) this.sessions.delete(session.clientId);
    for (const sub of session.subscriptions.values()) this.index.remove(sub);
    session.subscriptions.clear();
    session.clearState();
  }

  /** Every session (for shutdown). */
  values(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Stops every timer (broker shutdown). */
  clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
