import type { Packet, QoS } from '../codec/packet.js';
import { ProtocolError } from '../errors.js';
import type { BrokerMessage } from './broker-message.js';
import type { BrokerSubscription } from './subscription-index.js';
import { outboundPublish } from './outbound-publish.js';
import { InboundIds, SubscriptionMap, type SessionJournal } from './session-journal.js';

/** What a session needs from the connection it is attached to. */
export interface SessionLink {
  readonly protocolVersion: 4 | 5;
  /** Outbound QoS 1/2 window: min(broker maxInflight, the client's Receive Maximum). */
  readonly inflightWindow: number;
  /** Encodes and writes; false when the packet exceeds the client's Maximum Packet Size (not sent). */
  send(packet: Packet): boolean;
  /**
   * False while the connection is over its outbound budget (the client reads too slowly): QoS 0
   * messages are then dropped and counted, QoS 1/2 messages wait in the queue.
   */
  readonly writable: boolean;
}

/** Why a session dropped a message: queue full, too large for the client, or (QoS 0) the client reads too slowly. */
export type DropReason = 'queueFull' | 'tooLarge' | 'slowClient';

/** An outbound QoS 1 or 2 message, queued or in flight. */
export interface Delivery {
  readonly message: BrokerMessage;
  readonly qos: 1 | 2;
  readonly retain: boolean;
  readonly subscriptionIds: readonly number[] | undefined;
  packetId: number;
  /** 'ack': PUBLISH sent, awaiting PUBACK/PUBREC; 'comp': PUBREL sent, awaiting PUBCOMP. */
  state: 'ack' | 'comp';
  /** Its number in the persistence log (0 while not written). */
  seq: number;
}

/**
 * One client's session state on the broker: its subscriptions, its outbound QoS 1/2 messages (in
 * flight and queued, bounded by `maxQueued`), and the inbound QoS 2 packet ids awaiting PUBREL.
 * Survives disconnection while its expiry interval runs.
 */
export class Session {
  /**
   * By the filter as subscribed (with any `$share/` prefix). A changed subscription is `set` again
   * so that a persistent session records its new options.
   */
  readonly subscriptions: Map<string, BrokerSubscription<Session>> = new SubscriptionMap(this);
  /** Inbound QoS 2 packet ids received and not yet released [MQTT-4.3.3-9]. */
  readonly inboundQos2: Set<number> = new InboundIds(this);
  link: SessionLink | undefined = undefined;
  /** Set while the session is persistent: every change of its state is written there. */
  journal: SessionJournal | undefined = undefined;
  /** The protocol version of the last client attached (0 before any). */
  protocolVersion: 0 | 4 | 5 = 0;
  private expiry = 0;
  /** Messages dropped because the queue was full or the client's maximum packet size was too small. */
  dropped = 0;
  private readonly inflight = new Map<number, Delivery>();
  private queue: Delivery[] = [];
  private queueHead = 0;
  private nextPacketId = 1;
  /** Scratch fields used by the router to merge overlapping subscriptions of one message. */
  routeEpoch = 0;
  routeQos: QoS = 0;
  routeRetain = false;
  routeSubIds: number[] | undefined = undefined;

  constructor(
    readonly clientId: string,
    private readonly maxQueued: number,
    /** Told of every dropped message (the broker turns it into a `messagesDropped` event). */
    private readonly onDrop: (session: Session, reason: DropReason) => void = () => undefined,
    /** Counts the sessions whose queue is full, shared by all sessions of a broker (a cheap "any?"). */
    private readonly pressure: { full: number } = { full: 0 },
    /** The broker's persistence log, when it has one: a session with an expiry is written to it. */
    private readonly store: SessionJournal | undefined = undefined,
  ) {}

  /** Seconds the session outlives its connection; Infinity never expires. */
  get expiryInterval(): number {
    return this.expiry;
  }

  set expiryInterval(seconds: number) {
    this.expiry = seconds;
    // A session that outlives its connection is persistent; one that ends with it is never written.
    if (this.store !== undefined && (seconds > 0 || this.journal !== undefined)) this.store.sessionChanged(this);
  }

  private isFull = false;
  private roomWaiters: (() => void)[] = [];

  /** True while the queue holds `maxQueued` messages: one more QoS 1/2 message would be dropped. */
  get full(): boolean {
    return this.isFull;
  }

  /**
   * Resolves once the queue has room again, or the session goes offline or is discarded (then
   * nothing is gained by waiting longer). Used to hold a publisher back instead of dropping.
   */
  whenRoom(): Promise<void> {
    if (!this.isFull || this.link === undefined) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  get online(): boolean {
    return this.link !== undefined;
  }

  /** Outbound messages in flight (sent, not fully acknowledged). */
  get inflightCount(): number {
    return this.inflight.size;
  }

  /** QoS 1/2 messages the session still owes its client (in flight and queued). */
  get heldCount(): number {
    return this.inflight.size + this.queuedCount;
  }

  /** Outbound messages waiting for the in-flight window or for the client to come back. */
  get queuedCount(): number {
    return this.queue.length - this.queueHead;
  }

  /** Delivers at `qos`: QoS 0 goes out now or is dropped offline; QoS 1/2 go out or wait in the queue. */
  deliver(message: BrokerMessage, qos: QoS, retain: boolean, subscriptionIds: readonly number[] | undefined, now: number): void {
    const link = this.link;
    if (qos === 0) {
      if (link === undefined) return;
      // A client that does not keep up loses QoS 0 messages, counted, instead of growing the broker's memory.
      if (!link.writable) return this.drop('slowClient');
      link.send(outboundPublish(message, 0, retain, false, undefined, subscriptionIds, link.protocolVersion, now));
      return;
    }
    const delivery: Delivery = { message, qos, retain, subscriptionIds, packetId: 0, state: 'ack', seq: 0 };
    if (link !== undefined && link.writable && this.queueHead === this.queue.length && this.inflight.size < link.inflightWindow) {
      this.start(delivery, link, now, true);
      return;
    }
    if (this.queuedCount >= this.maxQueued) {
      this.drop('queueFull');
      return;
    }
    this.journal?.queued(this, delivery);
    this.queue.push(delivery);
    if (this.queuedCount >= this.maxQueued) this.setFull(true);
  }

  /**
   * PUBACK from the client. An unknown packet id is ignored (a late duplicate). A PUBACK for a
   * QoS 2 message is an acknowledgement of the wrong type: a protocol violation that closes the
   * connection (3.1.1 [MQTT-4.8.0-1]; 5.0 DISCONNECT 0x82 [MQTT-4.13.1-1]) without advancing the flow.
   */
  onPuback(packetId: number): void {
    const d = this.inflight.get(packetId);
    if (d === undefined) return;
    if (d.qos !== 1) throw wrongAck('PUBACK', packetId, d.qos);
    this.inflight.delete(packetId);
    this.journal?.done(this, d);
    this.drain();
  }

  /**
   * PUBREC from the client: answers PUBREL, or with a reason code of 0x80 or more ends the flow
   * (PUBREL answers only a reason code below 0x80 [MQTT-4.3.3-4], so none follows and the message is
   * discarded). A PUBREC for a QoS 1 message is a protocol violation, like {@link Session.onPuback}.
   */
  onPubrec(packetId: number, reasonCode: number): void {
    const link = this.link;
    const d = this.inflight.get(packetId);
    if (d === undefined) {
      // A failed PUBREC ends a flow; there is nothing to release.
      if (reasonCode >= 0x80) return;
      // [MQTT-4.3.3-3] answer with PUBREL anyway; 5.0 says the id is unknown.
      link?.send({ type: 'pubrel', packetId, reasonCode: link.protocolVersion === 5 ? 0x92 : 0 });
      return;
    }
    if (d.qos !== 2) throw wrongAck('PUBREC', packetId, d.qos);
    if (reasonCode >= 0x80) {
      this.inflight.delete(packetId);
      this.journal?.done(this, d);
      this.drain();
      return;
    }
    d.state = 'comp';
    this.journal?.released(this, d);
    link?.send({ type: 'pubrel', packetId });
  }

  /**
   * PUBCOMP from the client. An unknown packet id is ignored. A PUBCOMP for a QoS 1 message, or for
   * a QoS 2 message whose PUBREC has not come, is a protocol violation like {@link Session.onPuback}.
   */
  onPubcomp(packetId: number): void {
    const d = this.inflight.get(packetId);
    if (d === undefined) return;
    if (d.qos !== 2) throw wrongAck('PUBCOMP', packetId, d.qos);
    if (d.state !== 'comp') throw new ProtocolError(`PUBCOMP before PUBREC for packet ${packetId}`);
    this.inflight.delete(packetId);
    this.journal?.done(this, d);
    this.drain();
  }

  /** Attaches a new connection: resends unacknowledged messages with DUP set [MQTT-4.4.0-1], then the queue. */
  attach(link: SessionLink, now: number): void {
    this.link = link;
    if (this.protocolVersion !== link.protocolVersion) {
      this.protocolVersion = link.protocolVersion;
      this.journal?.sessionChanged(this);
    }
    for (const d of this.inflight.values()) {
      if (d.state === 'comp') link.send({ type: 'pubrel', packetId: d.packetId });
      else if (!link.send(outboundPublish(d.message, d.qos, d.retain, true, d.packetId, d.subscriptionIds, link.protocolVersion, now))) {
        this.inflight.delete(d.packetId);
        this.journal?.done(this, d);
        this.drop('tooLarge');
      }
    }
    this.drain(now);
  }

  /** Detaches the connection; in-flight and queued messages stay for the next one. */
  detach(link: SessionLink): void {
    if (this.link === link) this.link = undefined;
    this.wakeRoomWaiters();
  }

  /** The connection can take more again (its outbound budget drained): sends what waits in the queue. */
  resumeSending(): void {
    this.drain();
  }

  /** Forgets every outbound message and inbound QoS 2 id (the session is being discarded). */
  clearState(): void {
    this.inflight.clear();
    this.queue = [];
    this.queueHead = 0;
    this.inboundQos2.clear();
    this.setFull(false);
    this.wakeRoomWaiters();
  }

  private drain(now = Date.now()): void {
    const link = this.link;
    if (link === undefined) return;
    while (this.queueHead < this.queue.length && this.inflight.size < link.inflightWindow && link.writable) {
      const d = this.queue[this.queueHead++];
      // An expired message is not sent [MQTT-3.3.2-5].
      if (d.message.expiresAt !== undefined && d.message.expiresAt <= now) {
        this.journal?.done(this, d);
        continue;
      }
      this.start(d, link, now, false);
      if (this.link !== link) break;
    }
    if (this.isFull && this.queuedCount < this.maxQueued) this.setFull(false);
    // As many waiting publishers as there are free slots, first come first served (waking all of
    // them for one slot would have every one re-check and all but one wait again).
    if (this.roomWaiters.length > 0 && !this.isFull) this.wakeRoomWaiters(this.maxQueued - this.queuedCount);
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private start(d: Delivery, link: SessionLink, now: number, fresh: boolean): void {
    d.packetId = this.allocatePacketId();
    this.inflight.set(d.packetId, d);
    // Written before the PUBLISH goes out: after a restart it is resent with this packet id.
    const journal = this.journal;
    if (journal !== undefined) {
      if (fresh) journal.queued(this, d);
      else journal.started(this, d);
    }
    if (!link.send(outboundPublish(d.message, d.qos, d.retain, false, d.packetId, d.subscriptionIds, link.protocolVersion, now))) {
      // Too large for this client: discard it [MQTT-3.1.2-25].
      this.inflight.delete(d.packetId);
      this.journal?.done(this, d);
      this.drop('tooLarge');
    }
  }

  /** Every outbound message it holds: in flight first (in sending order), then the queue. */
  *deliveries(): IterableIterator<Delivery> {
    yield* this.inflight.values();
    for (let i = this.queueHead; i < this.queue.length; i++) yield this.queue[i];
  }

  /**
   * Puts back a delivery read from the persistence log (before any client attaches): in flight when
   * it has a packet id (resent with DUP on attach), else at the end of the queue. Call in log order.
   */
  restore(d: Delivery): void {
    if (d.packetId === 0) {
      this.queue.push(d);
      if (this.queuedCount >= this.maxQueued) this.setFull(true);
      return;
    }
    this.inflight.set(d.packetId, d);
    this.nextPacketId = d.packetId === 65535 ? 1 : d.packetId + 1;
  }

  private setFull(full: boolean): void {
    if (full === this.isFull) return;
    this.isFull = full;
    this.pressure.full += full ? 1 : -1;
  }

  private wakeRoomWaiters(count = Infinity): void {
    const waiters = this.roomWaiters;
    if (waiters.length === 0) return;
    if (count >= waiters.length) this.roomWaiters = [];
    const woken = count >= waiters.length ? waiters : this.roomWaiters.splice(0, count);
    for (const wake of woken) wake();
  }

  private drop(reason: DropReason): void {
    this.dropped++;
    this.onDrop(this, reason);
  }

  private allocatePacketId(): number {
    // The window is at most 65535, so a free id always exists.
    for (;;) {
      const id = this.nextPacketId;
      this.nextPacketId = id === 65535 ? 1 : id + 1;
      if (!this.inflight.has(id)) return id;
    }
  }
}

/** A protocol violation: an acknowledgement whose type does not belong to the message's QoS. */
function wrongAck(type: string, packetId: number, qos: 1 | 2): ProtocolError {
  // 3.1.1: a protocol violation closes the connection [MQTT-4.8.0-1]; 5.0: DISCONNECT 0x82 [MQTT-4.13.1-1].
  return new ProtocolError(`${type} for packet ${packetId}, a QoS ${qos} message`, { code: 'WRONG_ACK_TYPE' });
}
