import type { BrokerSubscription } from './subscription-index.js';
import type { Delivery, Session } from './session.js';

/**
 * Where a persistent session writes each change of its state (the broker's persistence log). Each
 * call happens before the packet that depends on it is sent, so that what a client has been told
 * is on disk first.
 */
export interface SessionJournal {
  /** The session's expiry or protocol version changed; the first call makes it persistent. */
  sessionChanged(session: Session): void;
  /** A new delivery, queued (`packetId` 0) or already started. */
  queued(session: Session, delivery: Delivery): void;
  /** A queued delivery went out with its packet id. */
  started(session: Session, delivery: Delivery): void;
  /** PUBREC came for a QoS 2 delivery: PUBREL is next. */
  released(session: Session, delivery: Delivery): void;
  /** The delivery is finished (acknowledged, refused, expired or too large). */
  done(session: Session, delivery: Delivery): void;
  /** An inbound QoS 2 packet id was added (PUBREC next) or released (PUBCOMP next). */
  inbound(session: Session, packetId: number, added: boolean): void;
  /** The subscription of `key` (the filter as subscribed) was set or (undefined) removed. */
  subscription(session: Session, key: string, sub: BrokerSubscription<Session> | undefined): void;
}

/** The inbound QoS 2 ids of a session, written to its journal as they change. */
export class InboundIds extends Set<number> {
  constructor(private readonly session: Session) {
    super();
  }

  override add(packetId: number): this {
    if (super.has(packetId)) return this;
    super.add(packetId);
    this.session.journal?.inbound(this.session, packetId, true);
    return this;
  }

  override delete(packetId: number): boolean {
    if (!super.delete(packetId)) return false;
    this.session.journal?.inbound(this.session, packetId, false);
    return true;
  }
}

/** The subscriptions of a session by filter, written to its journal as they change. */
export class SubscriptionMap extends Map<string, BrokerSubscription<Session>> {
  constructor(private readonly session: Session) {
    super();
  }

  override set(key: string, sub: BrokerSubscription<Session>): this {
    super.set(key, sub);
    this.session.journal?.subscription(this.session, key, sub);
    return this;
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    this.session.journal?.subscription(this.session, key, undefined);
    return true;
  }
}

/** What a {@link SessionJournal} also hears from the broker's session store. */
export interface SessionStoreJournal extends SessionJournal {
  /** The session's client left at `at` (epoch ms): its expiry runs from then. */
  offline(session: Session, at: number): void;
  /** A client is attached to the session again. */
  online(session: Session): void;
  /** The session ended (expired, evicted, replaced, or its expiry was 0): forget it and what it holds. */
  dropped(session: Session): void;
}
