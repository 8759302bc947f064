import { concat, EMPTY, from, Observable, Subject, Subscriber, take, type Subscription } from 'rxjs';
import type { Packet, ProtocolVersion, PubackPacket, PublishPacket, PubrecPacket } from '../codec/packet.js';
import { ConnectionClosedError, MessageExpiredError, PublishFailedError } from '../errors.js';
import { mergeWithin } from '../operators/merge-within.js';
import type { AckRouter } from './ack-router.js';
import type { InFlightStore } from './in-flight-store.js';
import type { OfflineQueueOptions } from './offline-queue.js';
import type { PacketIdAllocator } from './packet-id-allocator.js';
import { PublishJob, publishError, resendLimitError, unexpired } from './publish-job.js';
import { PublishQueue } from './publish-queue.js';
import { planResume, type Resend } from './resume-policy.js';
import { storedOutboundFlow } from './stored-outbound-flow.js';

/** One open connection as the publisher uses it (see {@link OutboundPublisher.attach}). */
export interface PublisherConnection {
  /** Writes a packet; false when the transport's buffer is full (see `writable$`). */
  readonly send: (packet: Packet) => boolean | void;
  /** Emits when the transport's buffer drained (or the connection ended) after `send` returned false. */
  readonly writable$?: Observable<void>;
  readonly acks: AckRouter;
  /** Most QoS 1/2 publishes in flight at once: the server's Receive Maximum (65535 when absent). */
  readonly receiveMaximum: number;
  /** What the server announced that a packet breaks (Maximum QoS, retain support), or undefined. */
  readonly check?: (packet: PublishPacket) => Error | undefined;
  /** The packet as this server takes it (e.g. QoS downgraded to its Maximum QoS), applied before `check`. */
  readonly fit?: (packet: PublishPacket) => PublishPacket;
  /**
   * Ends the connection with `error`: called when the store could not record a QoS 2 PUBREC, since
   * the server then holds the identifier until a PUBREL the session cannot promise any more.
   */
  readonly fail?: (error: unknown) => void;
}

/** What {@link OutboundPublisher} keeps for the life of the client. */
export interface OutboundPublisherOptions {
  readonly packetIds: PacketIdAllocator;
  readonly store: InFlightStore;
  readonly protocolVersion: ProtocolVersion;
  /** Bounds of the publishes made while detached. */
  readonly offlineQueue?: OfflineQueueOptions;
  /** The client's own cap on QoS 1/2 publishes in flight (the window is the lower of it and the server's Receive Maximum). Default: none. */
  readonly maxInFlight?: number;
  /** How often one message is sent again after connections lost before its acknowledgement; then it fails (RESEND_LIMIT). Default 5. */
  readonly maxResends?: number;
}

/** One item of a connection's window: a resend of a resumed session, or a queued publish. */
type Start = Resend | PublishJob;

/**
 * Sends application messages and runs their acknowledgement flows over whichever connection is
 * attached. It composes three parts: the {@link PublishQueue} (publishes not yet started, bounded
 * while offline), the in-flight window, an operator pipeline per connection
 * (`concat(resends, queue) |> mergeWithin(window, flow)`) whose concurrency is the server's Receive
 * Maximum [MQTT-3.3.4-7] (or the lower `maxInFlight`), and the resume policy ({@link planResume})
 * applied on each attach. It lives as long as the client, across reconnects:
 *
 * - While detached, publishes (QoS 0 too) wait in the offline queue (QueueFullError for the refused
 *   or dropped publish), and are sent in order once attached.
 * - A connection lost mid-flow leaves the flow pending (its Observable does not error). On attach
 *   with a resumed session the stored flows are resent in their original order with the same
 *   identifiers: PUBLISH with DUP set [MQTT-3.3.1-1] or PUBREL [MQTT-4.4.0-1]. Without a session,
 *   flows that had not reached PUBREC are sent again as new messages, and flows that had complete.
 * - The {@link InFlightStore} is written before each PUBLISH, on PUBREC (state `pubrel`) and on
 *   completion (entry removed); entries of a persistent store left by an earlier process are resumed.
 * - A store that throws (StoreError) fails that publish: before the PUBLISH nothing is sent; at
 *   completion the message was delivered but the store still holds it. At a QoS 2 PUBREC no PUBREL
 *   is sent and the connection fails too (`PublisherConnection.fail`).
 *
 * @example
 * ```ts
 * const publisher = new OutboundPublisher({ packetIds, store, protocolVersion: 5 });
 * publisher.publish(packet).subscribe(); // queued
 * publisher.attach({ send, acks, receiveMaximum: 20 }, false);
 * publisher.flush(); // sent
 * ```
 */
export class OutboundPublisher {
  private readonly queue: PublishQueue;
  /** Started QoS 1/2 flows by packet identifier, in start order, running or waiting for a connection. */
  private readonly flows = new Map<number, PublishJob>();
  private connection: PublisherConnection | undefined = undefined;
  /** The attached connection's window; ends on detach (flows left pending). */
  private window: Subscription | undefined = undefined;
  /** Completes on flush(): until then the window runs the resends only. */
  private flushed = new Subject<never>();
  private flushing = false;
  /** Emits when a flow freed its identifier (a publish may wait for one). */
  private readonly freed = new Subject<void>();
  private closedWith: ConnectionClosedError | undefined = undefined;

  constructor(private readonly options: OutboundPublisherOptions) {
    this.queue = new PublishQueue(options.offlineQueue);
  }

  /** QoS 1/2 flows started and not finished (running, or waiting for a resumed session). */
  get inFlightCount(): number {
    return this.flows.size;
  }

  private expired = 0;

  /** Publishes dropped because their Message Expiry Interval ran out while they waited. */
  get expiredCount(): number {
    return this.expired;
  }

  /** Publishes waiting to be sent (for a window slot or a connection). */
  get queuedCount(): number {
    return this.queue.size;
  }

  /**
   * Publishes `packet` (its `packetId` is assigned here). Cold: subscribing sends (QoS 0 when
   * attached) or queues the message; it emits once and completes when QoS 0 was handed to the
   * transport (once its buffer drained, when it was full), on PUBACK (QoS 1) or PUBCOMP (QoS 2),
   * across reconnects. Unsubscribing before the PUBLISH was sent drops it; after, the flow still
   * completes. Errors: PublishFailedError (reason code >= 0x80), InvalidArgumentError (too large
   * for the server, QoS or retain not supported), QueueFullError (offline queue full),
   * ConnectionClosedError (closed for good).
   */
  publish(packet: PublishPacket): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (this.closedWith !== undefined) {
        subscriber.error(this.closedWith);
        return;
      }
      const connection = this.connection;
      if (packet.qos === 0 && connection !== undefined && this.flushing) {
        this.sendQos0(packet, subscriber, connection);
        return;
      }
      const job = new PublishJob(packet, subscriber, packet.payload.byteLength + packet.topic.length);
      if (connection === undefined && !this.queue.admitOffline(job)) return;
      this.queue.add(job);
      return () => {
        job.subscriber = undefined;
        if (!job.started) this.queue.remove(job);
      };
    });
  }

  /**
   * Starts using `connection`: applies the resume policy for `sessionPresent` and starts its
   * window with the resends. Call {@link flush} afterwards to send the queue. Call before the store
   * is cleared for a new session.
   */
  attach(connection: PublisherConnection, sessionPresent: boolean): void {
    this.window?.unsubscribe();
    const { store, packetIds } = this.options;
    this.connection = connection;
    this.flushing = false;
    this.flushed = new Subject<never>();
    const plan = planResume([...store.outbound()], this.flows, (id) => packetIds.reserve(id), sessionPresent);
    for (const { job, packetId } of plan.adopted) this.flows.set(packetId, job);
    for (const packetId of plan.released) {
      this.flows.delete(packetId);
      packetIds.release(packetId);
    }
    for (const { job, packetId } of plan.done) {
      // Past PUBREC with the session gone: the server took the message; only the release was lost.
      store.deleteOutbound(packetId);
      job.settle(undefined);
    }
    this.queue.addFirst(plan.again);
    for (const job of plan.orphans) this.queue.add(job);
    const limit = Math.max(1, Math.min(connection.receiveMaximum, this.options.maxInFlight ?? 65535));
    const starts: Observable<Start> = concat(from(plan.resend), this.flushed, this.queue.stream());
    this.window = starts.pipe(mergeWithin(limit, (item) => this.start(item, connection))).subscribe({
      error: (error: unknown) => connection.fail?.(error),
    });
  }

  /**
   * An acknowledgement for a flow of a resumed session that waits for a window slot (nothing on
   * this connection listens for it yet; its PUBLISH went out on an earlier one). A PUBACK completes
   * the flow, an accepting PUBREC records the state so that the flow, once it gets its slot, sends
   * PUBREL instead of PUBLISH: resending the PUBLISH after the server released the message would
   * deliver it twice. Returns false when no such flow waits (the caller then answers it as unknown).
   */
  acknowledgeWaiting(ack: PubackPacket | PubrecPacket): boolean {
    const job = this.flows.get(ack.packetId);
    if (job === undefined || this.connection === undefined) return false;
    if (ack.type === 'puback') {
      if (job.packet.qos !== 1) return false;
      const code = ack.reasonCode ?? 0;
      const failure = code >= 0x80 ? new PublishFailedError(job.packet.topic, code, { reasonString: ack.properties?.reasonString }) : undefined;
      this.finish(job, ack.packetId, failure);
      return true;
    }
    if (job.packet.qos !== 2) return false;
    if ((ack.reasonCode ?? 0) >= 0x80 || job.state === 'pubrel') return true; // refused: its resend tries again
    const entry = this.options.store.getOutbound(ack.packetId);
    if (entry !== undefined) this.options.store.putOutbound({ packet: entry.packet, state: 'pubrel' }); // before any PUBREL
    job.state = 'pubrel';
    return true;
  }

  /** Sends what waits in the queue, as far as the window allows. */
  flush(): void {
    this.flushing = true;
    this.flushed.complete();
  }

  /**
   * Stops using the connection (it is gone): later publishes queue; running flows wait for the next
   * {@link attach} (their PUBLISH stays stored).
   */
  detach(): void {
    this.connection = undefined;
    this.flushing = false;
    this.window?.unsubscribe();
    this.window = undefined;
  }

  /**
   * Closed for good: every queued publish and pending flow errors with `error`, later publishes
   * error at once. Stored entries stay in the store (a persistent store resumes them next start).
   */
  failAll(error: ConnectionClosedError): void {
    this.closedWith = error;
    this.detach();
    const jobs = [...this.queue.clear(), ...this.flows.values()];
    for (const packetId of this.flows.keys()) this.options.packetIds.release(packetId);
    this.flows.clear();
    for (const job of jobs) job.settle(error);
  }

  /** The inner Observable of one window slot: completes when the slot is free again. */
  private start(item: Start, connection: PublisherConnection): Observable<never> {
    if (!(item instanceof PublishJob)) {
      // A resend whose flow was completed while it waited (see acknowledgeWaiting) has nothing to send.
      if (this.flows.get(item.packetId) !== item.job) return EMPTY;
      if (item.job.overResendLimit(this.options.maxResends ?? 5)) {
        this.flows.delete(item.packetId);
        this.options.store.deleteOutbound(item.packetId);
        this.options.packetIds.release(item.packetId);
        item.job.settle(resendLimitError(item.job));
        this.freed.next();
        return EMPTY;
      }
      return this.run(item.job, item.packet, item.packetId, connection);
    }
    const job = item;
    if (job.packet.qos !== 0 && this.options.packetIds.size >= 65535) {
      // All identifiers are taken: the job stays queued (in order) until a finishing flow frees one.
      return new Observable<never>((slot) => this.freed.pipe(take(1)).subscribe(() => this.start(job, connection).subscribe(slot)));
    }
    if (!this.queue.take(job)) return EMPTY; // unsubscribed or dropped while it waited
    const subscriber = job.subscriber;
    const fitted = connection.fit?.(job.packet) ?? job.packet; // e.g. downgraded to the server's Maximum QoS
    const fresh = unexpired(fitted, job.createdAt);
    if (fresh instanceof MessageExpiredError) {
      this.expired++;
      job.settle(fresh);
      return EMPTY;
    }
    if (fresh.qos === 0) {
      if (subscriber === undefined) return EMPTY;
      return new Observable<never>((slot) => {
        subscriber.add(() => slot.complete()); // the slot is free once the publish ended, whichever way
        this.sendQos0(fresh, subscriber, connection);
      });
    }
    const problem = connection.check?.(fitted);
    if (problem !== undefined) {
      job.settle(problem);
      return EMPTY;
    }
    if (job.overResendLimit(this.options.maxResends ?? 5)) {
      job.settle(resendLimitError(job));
      return EMPTY;
    }
    const packetId = this.options.packetIds.allocate();
    const packet: PublishPacket = { ...fresh, packetId };
    try {
      this.options.store.putOutbound({ packet, state: 'publish' }); // stored before it is sent
    } catch (error) {
      this.options.packetIds.release(packetId);
      job.settle(error); // nothing was sent
      return EMPTY;
    }
    this.flows.set(packetId, job);
    return this.run(job, packet, packetId, connection);
  }

  /** The slot of a running flow: completes when the flow ended, whichever way (see {@link finish}). */
  private run(job: PublishJob, packet: PublishPacket, packetId: number, connection: PublisherConnection): Observable<never> {
    job.sends++;
    const { store, protocolVersion } = this.options;
    const flow = storedOutboundFlow(job, packet, packetId, { send: connection.send, acks: connection.acks, protocolVersion, store });
    return new Observable<never>((slot) => flow.subscribe(new FlowEnd(this, job, packetId, slot)));
  }

  /** A flow ended (error undefined: acknowledged): settles its publish, frees its identifier. */
  finish(job: PublishJob, packetId: number, error: unknown): void {
    if (this.flows.get(packetId) !== job) return;
    // A lost connection leaves the flow waiting for the next attach, and its entry in the store.
    if (error instanceof ConnectionClosedError && this.closedWith === undefined) return;
    this.flows.delete(packetId);
    if (job.unrecorded) {
      // The server took the message (PUBREC) and holds its identifier for a PUBREL we could not
      // record. Keep the stored entry (still `publish`: resent with DUP on a resumed session, which
      // the server answers with PUBREC again [MQTT-4.3.3-10]) and end this connection, so that the
      // identifier is not given to a new message the server would take for a resend.
      job.unrecorded = false;
      this.options.packetIds.release(packetId);
      job.settle(error);
      this.connection?.fail?.(error);
      return;
    }
    let failure = error;
    if (!(error instanceof ConnectionClosedError)) {
      try {
        this.options.store.deleteOutbound(packetId);
      } catch (storeError) {
        failure ??= storeError; // delivered, but the store still holds it: the caller must know
      }
    }
    this.options.packetIds.release(packetId);
    job.settle(failure);
    this.freed.next();
  }

  private sendQos0(packet: PublishPacket, subscriber: Subscriber<void>, connection: PublisherConnection): void {
    const problem = connection.check?.(packet);
    if (problem !== undefined) {
      subscriber.error(problem);
      return;
    }
    let writable: boolean | void;
    try {
      writable = connection.send(packet);
    } catch (error) {
      subscriber.error(publishError(error));
      return;
    }
    if (writable === false && connection.writable$ !== undefined) {
      // Backpressure: QoS 0 is done when the transport's buffer took the bytes, i.e. once it drained,
      // so a loop that publishes on each completion keeps pace with the network.
      subscriber.add(
        connection.writable$.pipe(take(1)).subscribe(() => {
          subscriber.next();
          subscriber.complete();
        }),
      );
      return;
    }
    subscriber.next();
    subscriber.complete();
  }
}

/** Ends a flow's window slot when the flow ends, telling the publisher how (one object per flow). */
class FlowEnd extends Subscriber<unknown> {
  constructor(
    private readonly publisher: OutboundPublisher,
    private readonly job: PublishJob,
    private readonly packetId: number,
    private readonly slot: Subscriber<never>,
  ) {
    super();
    slot.add(this); // the slot's end (the window's, when the connection goes) unsubscribes the flow
  }

  protected override _next(): void {
    // The flow's acknowledgement packet: nothing to pass on.
  }

  protected override _error(error: unknown): void {
    this.unsubscribe();
    this.end(error);
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.end(undefined);
  }

  private end(error: unknown): void {
    try {
      this.publisher.finish(this.job, this.packetId, error);
    } finally {
      this.slot.complete();
    }
  }
}
