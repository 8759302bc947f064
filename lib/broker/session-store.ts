import { Session } from './session.js';
import type { SubscriptionIndex } from './subscription-index.js';

/**
 * The sessions of a broker, by client id, held in memory. A session whose client has gone is kept
 * for its expiry interval (MQTT 5 Session Expiry Interval; a 3.1.1 persistent session never
 * expires) and then discarded with its subscriptions and queued messages.
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

  constructor(
    private readonly index: SubscriptionIndex<Session>,
    private readonly maxQueued: number,
    readonly maxSessions: number,
    private readonly onExpire: (session: Session) => void = () => undefined,
  ) {}

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
    const session = new Session(clientId, this.maxQueued);
    this.sessions.set(clientId, session);
    return session;
  }

  /** A client is back on this session: its expiry stops. */
  resume(session: Session): void {
    const timer = this.timers.get(session);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(session);
    }
  }

  /** The session's client has gone: discard now (expiry 0) or when the expiry interval ends. */
  release(session: Session): void {
    if (this.sessions.get(session.clientId) !== session) return;
    if (session.expiryInterval === 0) {
      this.discard(session);
      this.onExpire(session);
      return;
    }
    if (session.expiryInterval === Infinity) return;
    this.resume(session);
    // setTimeout holds at most 2^31-1 ms (24.8 days); longer intervals re-arm.
    const arm = (remainingMs: number): void => {
      const step = Math.min(remainingMs, 2 ** 31 - 1);
      const timer = setTimeout(() => {
        if (remainingMs > step) return arm(remainingMs - step);
        this.timers.delete(session);
        this.discard(session);
        this.onExpire(session);
      }, step);
      timer.unref?.();
      this.timers.set(session, timer);
    };
    arm(session.expiryInterval * 1000);
  }

  /** Removes the session, its subscriptions from the index, and its messages. */
  discard(session: Session): void {
    this.resume(session);
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
