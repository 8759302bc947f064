import type { Packet, PublishPacket, QoS } from '../codec/packet.js';
import { ConnectionClosedError } from '../errors.js';
import type { InFlightStore } from './in-flight-store.js';

/**
 * One manual observer's bookkeeping: how many messages it holds unacknowledged on the connection
 * of `ledger` (a new connection starts again from zero). Created once per observer.
 *
 * @example
 * ```ts
 * const observer = new ManualObserver();
 * const handle = acks.claim(observer); // during a delivery
 * observer.outstanding; // 1 until handle.ack()
 * ```
 */
export class ManualObserver {
  outstanding = 0;
  ledger: InboundAcks | undefined = undefined;
}

/** One message's acknowledgement waiting in arrival order. */
class PendingAck {
  /** Acknowledgements still missing; 1 while the message is being dispatched. */
  remaining = 1;
  next: PendingAck | undefined = undefined;
  constructor(
    readonly packetId: number,
    readonly qos: QoS,
    /** A PUBREC sent again for a QoS 2 identifier already held (nothing to deliver). */
    readonly resend: boolean,
  ) {}
}

/**
 * What one manual observer holds for one message: {@link ack} is idempotent and reaches the
 * message's entry in the connection's {@link InboundAcks}. After the connection ended it does
 * nothing (the message is never acknowledged: a persistent session gets it again).
 *
 * @example
 * ```ts
 * const handle = acks.claim(observer);
 * handle.ack();
 * handle.ack(); // no effect
 * ```
 */
export class AckHandle implements Ack {
  private done = false;
  constructor(
    private readonly ledger: InboundAcks,
    private readonly entry: PendingAck,
    private readonly observer: ManualObserver,
  ) {}

  ack(): void {
    if (this.done) return;
    this.done = true;
    this.ledger.release(this.entry, this.observer);
  }
}

/** What a manual observer acks a message with (see {@link AckHandle}). */
export interface Ack {
  ack(): void;
}

/** The handle of a message with nothing to acknowledge. */
const NO_ACK: Ack = { ack: () => undefined };

/** Options of {@link InboundAcks}. */
export interface InboundAcksOptions {
  /** Writes PUBACK and PUBREC. */
  readonly send: (packet: Packet) => void;
  /** Records QoS 2 identifiers (when PUBREC goes out, unless recorded on arrival). */
  readonly store: InFlightStore;
  /** Window units in use at the start: QoS 2 identifiers of a resumed session still held (they wait for PUBREL). */
  readonly initialInUse?: number;
  /** Called with an error that must end the connection (a store or encoder failing while acks are sent, an abandoned message). */
  readonly fail: (error: unknown) => void;
  /** The inbound window: at most this many units in use before {@link InboundAcks.full}. Default Infinity. */
  readonly window?: number;
}

/**
 * The inbound acknowledgements of one connection, in the order the PUBLISH packets arrived:
 * PUBACK (QoS 1) and PUBREC (QoS 2) leave in that order whatever order the application acks in
 * [MQTT-4.6.0-2] [MQTT-4.6.0-3]. A message is acknowledged once every manual observer that got it
 * acked it; auto observers count as acked on delivery. A message nobody delivered manually and
 * with no acknowledgement waiting before it is acknowledged at once, without allocating.
 *
 * It also counts the inbound window in use ({@link inUse}): a QoS 1 message from arrival until
 * its PUBACK left, a QoS 2 message until its PUBCOMP left (as the broker's send quota counts), a
 * manual QoS 0 message until acked.
 *
 * Hot and per connection: {@link close} forgets what is pending; nothing is sent for it.
 *
 * @example
 * ```ts
 * const acks = new InboundAcks({ send, store, fail: (e) => session.close(e) });
 * acks.deliver(publish, message, (topic, m) => registry.dispatch(topic, m)); // sends PUBACK unless a manual observer holds it
 * ```
 */
export class InboundAcks {
  private head: PendingAck | undefined = undefined;
  private tail: PendingAck | undefined = undefined;
  private currentPacket: PublishPacket | undefined = undefined;
  private current: PendingAck | undefined = undefined;
  /** QoS 2 identifiers delivered on this connection whose PUBREC has not left yet. */
  private readonly waitingPubrec = new Set<number>();
  private closed = false;
  /** Units of the inbound window in use. */
  inUse: number;
  /** Of {@link inUse}: manual QoS 0 messages (the broker's send quota does not count them). */
  qos0InUse = 0;
  /** Of {@link inUse}: QoS 2 messages whose PUBREC left, waiting for the server's PUBREL (not for the application). */
  awaitingPubrel: number;
  readonly window: number;
  /** Called whenever units were freed or passed to the server (keep it cheap: it runs after each acknowledgement). */
  onRelease: (() => void) | undefined = undefined;

  constructor(private readonly options: InboundAcksOptions) {
    this.inUse = options.initialInUse ?? 0;
    this.awaitingPubrel = this.inUse;
    this.window = options.window ?? Infinity;
  }

  /** True while the window is full: {@link inUse} reached {@link window}. */
  get full(): boolean {
    return this.inUse >= this.window;
  }

  /** Units the application holds (messages not yet acknowledged by it, or waiting behind one that is not). */
  get heldByApplication(): number {
    return this.inUse - this.awaitingPubrel;
  }

  /** Acknowledgements waiting for an earlier message (or their own manual acks). */
  get pending(): number {
    let n = 0;
    for (let e = this.head; e !== undefined; e = e.next) n++;
    return n;
  }

  /** True once the connection ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Dispatches `message` (built from `packet`) with `dispatch`; manual observers reached during the
   * dispatch {@link claim} it. Then the message is acknowledged (QoS 1/2) once every claim was acked
   * and every earlier message was acknowledged.
   */
  deliver<M>(packet: PublishPacket, message: M, dispatch: (topic: string, message: M) => void): void {
    const previousPacket = this.currentPacket; // dispatch may re-enter
    const previous = this.current;
    this.currentPacket = packet;
    this.current = undefined;
    let entry: PendingAck | undefined;
    try {
      dispatch(packet.topic, message);
    } finally {
      entry = this.current as PendingAck | undefined; // set by claim() during dispatch
      this.currentPacket = previousPacket;
      this.current = previous;
    }
    if (this.closed) return;
    if (entry === undefined) {
      // Auto observers only (or none): acknowledged now, or after the ones waiting before it.
      if (packet.qos === 0) return;
      this.inUse++;
      const packetId = packet.packetId ?? 0;
      if (this.head === undefined) {
        this.guarded(packetId, packet.qos);
        return;
      }
      const waiting = new PendingAck(packetId, packet.qos, false);
      waiting.remaining = 0;
      this.enqueue(waiting);
      return;
    }
    this.inUse++;
    if (entry.qos !== 0) this.enqueue(entry);
    else this.qos0InUse++;
    this.release(entry, undefined); // the dispatch's own hold
  }

  /**
   * A manual observer takes the message being delivered: returns its handle. Outside
   * {@link deliver} (an observer that joined during the dispatch of a message not delivered
   * through it) there is nothing to hold: the handle does nothing.
   */
  claim(observer: ManualObserver): Ack {
    let entry = this.current;
    if (entry === undefined) {
      const packet = this.currentPacket;
      if (packet === undefined) return NO_ACK;
      entry = new PendingAck(packet.packetId ?? 0, packet.qos, false);
      this.current = entry;
    }
    entry.remaining++;
    if (observer.ledger !== this) {
      observer.ledger = this;
      observer.outstanding = 0;
    }
    observer.outstanding++;
    return new AckHandle(this, entry, observer);
  }

  /** True while the QoS 2 identifier was delivered on this connection and its PUBREC has not left. */
  isWaitingPubrec(packetId: number): boolean {
    return this.waitingPubrec.size > 0 && this.waitingPubrec.has(packetId);
  }

  /** A QoS 2 PUBLISH resent for an identifier already held: PUBREC again [MQTT-4.3.3-10], in its place in the order. */
  resendPubrec(packetId: number): void {
    if (this.closed) return;
    if (this.head === undefined) {
      this.guarded(packetId, 2, true);
      return;
    }
    const entry = new PendingAck(packetId, 2, true);
    entry.remaining = 0;
    this.enqueue(entry);
  }

  /** PUBCOMP left for a held QoS 2 identifier: its unit of the window is free. */
  released(): void {
    if (this.closed || this.inUse === 0) return;
    this.inUse--;
    if (this.awaitingPubrel > 0) this.awaitingPubrel--;
    this.onRelease?.();
  }

  /** One acknowledgement of `entry` (an observer's, or the dispatch's hold when `observer` is undefined). */
  release(entry: PendingAck, observer: ManualObserver | undefined): void {
    if (this.closed) return;
    if (observer !== undefined && observer.ledger === this) observer.outstanding--;
    if (--entry.remaining > 0) return;
    if (entry.qos === 0) {
      this.inUse--;
      this.qos0InUse--;
      this.onRelease?.();
      return;
    }
    if (entry === this.head) this.flush();
  }

  /**
   * A manual observer left: when it still holds unacknowledged messages of this connection, the
   * connection is recycled (ended with ConnectionClosedError `UNACKED_ABANDONED`), since those
   * messages would otherwise block every later acknowledgement. They are never acknowledged, so a
   * persistent session gets them again.
   */
  abandon(observer: ManualObserver): void {
    if (this.closed || observer.ledger !== this || observer.outstanding <= 0) return;
    const count = observer.outstanding;
    this.options.fail(
      new ConnectionClosedError(
        `a manual observer left with ${count} unacknowledged message${count === 1 ? '' : 's'}; the connection is recycled so the broker sends ${count === 1 ? 'it' : 'them'} again`,
        { code: 'UNACKED_ABANDONED' },
      ),
    );
  }

  /** The connection ended: pending acknowledgements are forgotten (never sent). */
  close(): void {
    this.closed = true;
    this.head = this.tail = undefined;
    this.waitingPubrec.clear();
  }

  private enqueue(entry: PendingAck): void {
    if (entry.qos === 2 && !entry.resend) this.waitingPubrec.add(entry.packetId);
    if (this.tail === undefined) this.head = this.tail = entry;
    else this.tail = this.tail.next = entry;
  }

  /** Sends the acknowledgements at the head of the queue that are complete, in order. */
  private flush(): void {
    let entry = this.head;
    while (entry !== undefined && entry.remaining === 0) {
      this.head = entry.next;
      if (this.head === undefined) this.tail = undefined;
      if (entry.qos === 2 && !entry.resend) this.waitingPubrec.delete(entry.packetId);
      if (!this.guarded(entry.packetId, entry.qos, entry.resend)) return;
      entry = this.head;
    }
  }

  /** Sends one acknowledgement; a failure (store, encoder) ends the connection. Returns false then. */
  private guarded(packetId: number, qos: QoS, resend = false): boolean {
    try {
      if (qos === 1) {
        this.options.send({ type: 'puback', packetId }); // [MQTT-4.3.2-4]
        this.inUse--;
        this.onRelease?.();
      } else {
        // Recorded now, when the message counts as received, unless it was on arrival; held until PUBREL.
        if (!resend && !this.options.store.hasInbound(packetId)) this.options.store.addInbound(packetId);
        this.options.send({ type: 'pubrec', packetId }); // [MQTT-4.3.3-8]
        if (!resend) {
          // The unit is the server's now (until PUBREL/PUBCOMP): say so, a paused reader must read on to get it.
          this.awaitingPubrel++;
          this.onRelease?.();
        }
      }
      return true;
    } catch (error) {
      this.options.fail(error);
      this.close();
      return false;
    }
  }
}
