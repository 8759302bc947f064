import { Observable, take, type Subscriber } from 'rxjs';
import type { Packet, ProtocolVersion, PublishPacket } from '../codec/packet.js';
import { ConnectionClosedError, EncodeError, InvalidArgumentError, QueueFullError } from '../errors.js';
import type { AckRouter } from './ack-router.js';
import type { InFlightStore, OutboundState } from './in-flight-store.js';
import { OfflineBudget, type OfflineQueueOptions } from './offline-queue.js';
import { outboundQos1Flow } from './outbound-qos1-flow.js';
import { outboundQos2Flow } from './outbound-qos2-flow.js';
import type { PacketIdAllocator } from './packet-id-allocator.js';

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
}

class Job {
  started = false;
  offline = false;
  state: OutboundState = 'publish';
  /** The store refused the PUBREC state change: the flow is finished on the next connection. */
  unrecorded = false;
  constructor(
    readonly packet: PublishPacket,
    public subscriber: Subscriber<void> | undefined,
    readonly bytes: number,
  ) {}
}

/**
 * Sends application messages and runs their acknowledgement flows over whichever connection is
 * attached, never with more QoS 1/2 publishes in flight than the server's Receive Maximum
 * [MQTT-3.3.4-7]; the rest wait in order. It lives as long as the client, across reconnects:
 *
 * - While detached, publishes (QoS 0 too) wait in the offline queue, bounded by `offlineQueue`
 *   (QueueFullError for the refused or dropped publish), and are sent in order once attached.
 * - A connection lost mid-flow leaves the flow pending (its Observable does not error). On attach
 *   with a resumed session the stored flows are resent in their original order with the same
 *   identifiers: PUBLISH with DUP set [MQTT-3.3.1-1] or PUBREL [MQTT-4.4.0-1]. Without a session,
 *   flows that had not reached PUBREC are sent again as new messages, and flows that had (the server
 *   took the message) complete.
 * - The {@link InFlightStore} is written before each PUBLISH, on PUBREC (state `pubrel`) and on
 *   completion (entry removed); entries of a persistent store left by an earlier process are resumed
 *   (nobody listens to those).
 * - A store that throws (StoreError `STORE_IO`, `STORE_CLOSED`) fails the publish with that error,
 *   never the caller of an unrelated method: before the PUBLISH, nothing is sent; at completion, the
 *   message was delivered but the store still holds it (a restart resends it). At a QoS 2 PUBREC,
 *   no PUBREL is sent and the connection fails too (`PublisherConnection.fail`): the server holds
 *   the message and its identifier, and the stored flow is finished on the next connection.
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
  private readonly queue = new Set<Job>();
  /** Started QoS 1/2 flows by packet identifier, in start order, running or waiting for a connection. */
  private readonly flows = new Map<number, Job>();
  /** Stored flows of a resumed session waiting for a Receive Maximum slot to be resent, in order. */
  private resumable: [Job, PublishPacket, number][] = [];
  /** False from attach() until flush(): the queue waits for the resends and re-subscriptions. */
  private flushing = false;
  private running = 0;
  private pumping = false;
  private connection: PublisherConnection | undefined = undefined;
  private closedWith: ConnectionClosedError | undefined = undefined;
  private readonly budget: OfflineBudget;

  constructor(private readonly options: OutboundPublisherOptions) {
    this.budget = new OfflineBudget(options.offlineQueue);
  }

  /** QoS 1/2 flows started and not finished (running, or waiting for a resumed session). */
  get inFlightCount(): number {
    return this.flows.size;
  }

  /** Publishes waiting to be sent (for a Receive Maximum slot or a connection). */
  get queuedCount(): number {
    return this.queue.size;
  }

  /**
   * Publishes `packet` (its `packetId` is assigned here). Cold: subscribing sends (QoS 0 when
   * attached) or queues the message; it emits once and completes when QoS 0 was handed to the
   * transport (once its buffer drained, when it was full), on PUBACK
   * (QoS 1) or PUBCOMP (QoS 2), across reconnects. Unsubscribing before the PUBLISH was sent drops
   * it; after, the flow still completes. Errors: PublishFailedError (reason code >= 0x80),
   * InvalidArgumentError (too large for the server, QoS or retain not supported), QueueFullError
   * (offline queue full), ConnectionClosedError (closed for good).
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
      const job = new Job(packet, subscriber, packet.payload.byteLength + packet.topic.length);
      if (connection === undefined && !this.admitOffline(job)) return;
      this.queue.add(job);
      this.pump();
      return () => {
        job.subscriber = undefined;
        if (!job.started) this.dequeue(job);
      };
    });
  }

  /**
   * Starts using `connection`. With `sessionPresent` the stored flows are resent (same identifiers,
   * original order); without, pending flows are queued again as new messages, ahead of the rest.
   * Call {@link flush} afterwards to send the queue. Call before the store is cleared for a new session.
   */
  attach(connection: PublisherConnection, sessionPresent: boolean): void {
    const { store, packetIds } = this.options;
    this.connection = connection;
    this.running = 0;
    this.flushing = false;
    this.resumable = [];
    const stored = [...store.outbound()];
    if (sessionPresent) {
      const resumed = new Set<number>();
      for (const entry of stored) {
        const packetId = entry.packet.packetId;
        if (packetId === undefined) continue;
        let job = this.flows.get(packetId);
        if (job === undefined) {
          if (!packetIds.reserve(packetId)) continue; // an identifier we hold for something else
          job = new Job(entry.packet, undefined, 0); // left by an earlier process: nobody listens
          job.started = true;
          this.flows.set(packetId, job);
        }
        resumed.add(packetId);
        job.state = entry.state;
        const packet = entry.state === 'publish' ? { ...entry.packet, dup: true } : entry.packet;
        this.resumable.push([job, packet, packetId]);
      }
      this.pump(); // resends first, as far as Receive Maximum allows
      this.requeue([...this.flows].filter(([id]) => !resumed.has(id)));
    } else {
      const orphans = stored.filter((e) => e.state === 'publish' && e.packet.packetId !== undefined && !this.flows.has(e.packet.packetId));
      this.requeue([...this.flows]);
      // A store of an earlier process without a session here: its unacknowledged messages go again too.
      for (const entry of orphans) {
        const { packetId: _, ...packet } = entry.packet;
        const job = new Job({ ...packet, dup: false }, undefined, 0);
        this.queue.add(job);
      }
    }
  }

  /** Sends what waits in the queue, as far as Receive Maximum allows. */
  flush(): void {
    this.flushing = true;
    this.pump();
  }

  /**
   * Stops using the connection (it is gone): later publishes queue; running flows wait for the next
   * {@link attach} (they end through the ack router the caller fails with ConnectionClosedError).
   */
  detach(): void {
    this.connection = undefined;
  }

  /**
   * Closed for good: every queued publish and pending flow errors with `error`, later publishes
   * error at once. Stored entries stay in the store (a persistent store resumes them next start).
   */
  failAll(error: ConnectionClosedError): void {
    this.closedWith = error;
    this.connection = undefined;
    const jobs = [...this.queue, ...this.flows.values()];
    for (const packetId of this.flows.keys()) this.options.packetIds.release(packetId);
    this.queue.clear();
    this.flows.clear();
    this.resumable = [];
    this.budget.clear();
    for (const job of jobs) {
      const subscriber = job.subscriber;
      job.subscriber = undefined;
      subscriber?.error(error);
    }
  }

  private admitOffline(job: Job): boolean {
    const { budget } = this;
    if (!budget.fits(job.bytes) && budget.limits.overflow === 'drop-oldest' && budget.couldFit(job.bytes)) {
      for (const old of this.queue) {
        if (budget.fits(job.bytes)) break;
        if (!old.offline) continue;
        this.dequeue(old);
        old.subscriber?.error(new QueueFullError(`the offline queue is full: dropped the oldest publish to '${old.packet.topic}'`));
        old.subscriber = undefined;
      }
    }
    if (!budget.fits(job.bytes)) {
      job.subscriber?.error(new QueueFullError(`the offline queue is full (${budget.describe()}): publish to '${job.packet.topic}' refused`));
      return false;
    }
    job.offline = true;
    budget.add(job.bytes);
    return true;
  }

  private dequeue(job: Job): void {
    if (!this.queue.delete(job) || !job.offline) return;
    job.offline = false;
    this.budget.remove(job.bytes);
  }

  /** Puts started flows back at the head of the queue, as new messages (or completes those past PUBREC). */
  private requeue(flows: [number, Job][]): void {
    if (flows.length === 0) return;
    const rest = [...this.queue];
    this.queue.clear();
    for (const [packetId, job] of flows) {
      this.flows.delete(packetId);
      this.options.packetIds.release(packetId);
      if (job.state === 'pubrel') {
        // The server had taken the message (PUBREC); only the release was lost with the session.
        this.options.store.deleteOutbound(packetId);
        this.complete(job, undefined);
      } else {
        job.started = false; // start() gives it a new identifier
        this.queue.add(job);
      }
    }
    for (const job of rest) this.queue.add(job);
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

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Also wait while all 65535 packet identifiers are taken: a finishing flow frees one and pumps.
      let connection: PublisherConnection | undefined;
      while ((connection = this.connection) !== undefined && this.resumable.length > 0 && this.running < connection.receiveMaximum) {
        const [job, packet, packetId] = this.resumable.shift() as [Job, PublishPacket, number];
        this.run(job, packet, packetId);
      }
      while (this.flushing && this.resumable.length === 0 && (connection = this.connection) !== undefined && this.queue.size > 0 && this.running < connection.receiveMaximum) {
        const job = this.queue.values().next().value as Job;
        if (job.packet.qos !== 0 && this.options.packetIds.size >= 65535) break;
        this.dequeue(job);
        job.started = true;
        const subscriber = job.subscriber;
        if (job.packet.qos === 0) {
          if (subscriber !== undefined) this.sendQos0(job.packet, subscriber, connection);
        } else {
          this.start(job, connection); // also without a subscriber: a resumed flow nobody listens to
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(job: Job, connection: PublisherConnection): void {
    const problem = connection.check?.(job.packet);
    if (problem !== undefined) {
      job.subscriber?.error(problem);
      return;
    }
    let packetId: number;
    try {
      packetId = this.options.packetIds.allocate();
    } catch (error) {
      job.subscriber?.error(error);
      return;
    }
    const packet: PublishPacket = { ...job.packet, packetId };
    try {
      this.options.store.putOutbound({ packet, state: 'publish' }); // stored before it is sent
    } catch (error) {
      this.options.packetIds.release(packetId);
      job.subscriber?.error(error); // nothing was sent
      job.subscriber = undefined;
      return;
    }
    this.flows.set(packetId, job);
    this.run(job, packet, packetId);
  }

  private run(job: Job, packet: PublishPacket, packetId: number): void {
    const connection = this.connection as PublisherConnection;
    const { store, protocolVersion } = this.options;
    this.running++;
    const context = { send: connection.send, acks: connection.acks.acksFor(packetId), protocolVersion };
    const onReleased = (): void => {
      try {
        store.putOutbound({ packet, state: 'pubrel' }); // before PUBREL is sent
      } catch (error) {
        job.unrecorded = true; // the flow errors with it, no PUBREL goes out
        throw error;
      }
      job.state = 'pubrel';
    };
    const flow: Observable<unknown> =
      packet.qos === 1 ? outboundQos1Flow(packet, context) : outboundQos2Flow(packet, context, { from: job.state, onReleased });
    flow.subscribe({
      complete: () => this.finish(job, packetId, undefined),
      error: (error: unknown) => this.finish(job, packetId, error),
    });
  }

  private finish(job: Job, packetId: number, error: unknown): void {
    if (this.flows.get(packetId) !== job) return;
    this.running--;
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
      this.complete(job, error);
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
    this.complete(job, failure);
    this.pump();
  }

  private complete(job: Job, error: unknown): void {
    const subscriber = job.subscriber;
    job.subscriber = undefined;
    if (subscriber === undefined) return;
    if (error === undefined) {
      subscriber.next();
      subscriber.complete();
    } else {
      subscriber.error(publishError(error));
    }
  }
}

function publishError(error: unknown): unknown {
  if (error instanceof EncodeError && error.code === 'ENCODE_PACKET_TOO_LARGE') {
    return new InvalidArgumentError('payload', `the PUBLISH is larger than the server's Maximum Packet Size (${error.message})`, {
      cause: error,
      specRef: 'MQTT-3.2.2-15',
    });
  }
  return error;
}
