import { Observable, type Subscriber } from 'rxjs';
import type { Packet, ProtocolVersion, PublishPacket } from '../codec/packet.js';
import { ConnectionClosedError, EncodeError, InvalidArgumentError } from '../errors.js';
import type { AckRouter } from './ack-router.js';
import type { InFlightStore, OutboundEntry, OutboundState } from './in-flight-store.js';
import { outboundQos1Flow } from './outbound-qos1-flow.js';
import { outboundQos2Flow } from './outbound-qos2-flow.js';
import type { PacketIdAllocator } from './packet-id-allocator.js';

/** What {@link OutboundPublisher} needs from the connection. */
export interface OutboundPublisherOptions {
  readonly send: (packet: Packet) => void;
  readonly acks: AckRouter;
  readonly packetIds: PacketIdAllocator;
  readonly store: InFlightStore;
  readonly protocolVersion: ProtocolVersion;
  /** Most QoS 1/2 publishes in flight at once: the server's Receive Maximum (65535 when absent). */
  readonly receiveMaximum: number;
}

class Job {
  started = false;
  constructor(
    readonly packet: PublishPacket,
    public subscriber: Subscriber<void> | undefined,
  ) {}
}

/**
 * Sends application messages and runs their acknowledgement flows, never with more QoS 1/2
 * publishes in flight than the server's Receive Maximum [MQTT-3.3.4-7]; the rest wait in order.
 *
 * A flow, once its PUBLISH is sent, runs to its end whether or not anyone still listens: the
 * acknowledgements are handled and the packet identifier is freed. In-flight messages are kept in
 * the {@link InFlightStore} until acknowledged, and stay there when the connection is lost.
 *
 * @example
 * ```ts
 * const publisher = new OutboundPublisher({ send, acks, packetIds, store, protocolVersion: 5, receiveMaximum: 20 });
 * publisher.publish({ type: 'publish', topic: 'a', payload, qos: 1, retain: false, dup: false }).subscribe();
 * ```
 */
export class OutboundPublisher {
  private readonly queue = new Set<Job>();
  private inFlight = 0;
  private pumping = false;
  private closedWith: ConnectionClosedError | undefined = undefined;

  constructor(private readonly options: OutboundPublisherOptions) {}

  /** QoS 1/2 publishes sent and not yet finished. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** QoS 1/2 publishes waiting for a free slot under Receive Maximum. */
  get queuedCount(): number {
    return this.queue.size;
  }

  /**
   * Publishes `packet` (its `packetId` is assigned here). Cold: subscribing sends (QoS 0) or queues
   * the message; it emits once and completes when QoS 0 was written, on PUBACK (QoS 1) or PUBCOMP
   * (QoS 2). Unsubscribing before the PUBLISH was sent drops it; after, the flow still completes.
   * Errors: PublishFailedError (reason code >= 0x80), InvalidArgumentError (argument `payload`)
   * when the packet exceeds the server's Maximum Packet Size, ConnectionClosedError.
   */
  publish(packet: PublishPacket): Observable<void> {
    if (packet.qos === 0) {
      return new Observable<void>((subscriber) => {
        if (this.closedWith !== undefined) {
          subscriber.error(this.closedWith);
          return;
        }
        try {
          this.options.send(packet);
        } catch (error) {
          subscriber.error(publishError(error));
          return;
        }
        subscriber.next();
        subscriber.complete();
      });
    }
    return new Observable<void>((subscriber) => {
      if (this.closedWith !== undefined) {
        subscriber.error(this.closedWith);
        return;
      }
      const job = new Job(packet, subscriber);
      this.queue.add(job);
      this.pump();
      return () => {
        job.subscriber = undefined;
        if (!job.started) this.queue.delete(job);
      };
    });
  }

  /**
   * Ends every queued publish with `error` and lets in-flight flows fail through the ack router
   * (which the caller fails). Later publishes error at once.
   */
  failAll(error: ConnectionClosedError): void {
    this.closedWith = error;
    const jobs = [...this.queue];
    this.queue.clear();
    for (const job of jobs) job.subscriber?.error(error);
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Also wait while all 65535 packet identifiers are taken: a finishing flow frees one and pumps.
      const { receiveMaximum, packetIds } = this.options;
      while (this.inFlight < receiveMaximum && packetIds.size < 65535 && this.queue.size > 0 && this.closedWith === undefined) {
        const job = this.queue.values().next().value as Job;
        this.queue.delete(job);
        this.start(job);
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Resends what a stored session left in flight, in order, with their original identifiers: PUBLISH
   * with DUP set [MQTT-3.3.1-1], or PUBREL [MQTT-4.4.0-1]. Nobody listens to these flows; they free
   * their identifiers and store entries when acknowledged.
   */
  resume(entries: Iterable<OutboundEntry>): void {
    for (const entry of [...entries]) {
      const packetId = entry.packet.packetId;
      if (packetId === undefined || !this.options.packetIds.reserve(packetId)) continue;
      this.inFlight++;
      const packet = entry.state === 'publish' ? { ...entry.packet, dup: true } : entry.packet;
      this.run(new Job(packet, undefined), packet, packetId, entry.state);
    }
  }

  private start(job: Job): void {
    job.started = true;
    let packetId: number;
    try {
      packetId = this.options.packetIds.allocate();
    } catch (error) {
      job.subscriber?.error(error);
      return;
    }
    this.inFlight++;
    const packet: PublishPacket = { ...job.packet, packetId };
    this.options.store.putOutbound({ packet, state: 'publish' });
    this.run(job, packet, packetId, 'publish');
  }

  private run(job: Job, packet: PublishPacket, packetId: number, from: OutboundState): void {
    const { send, acks, store, protocolVersion } = this.options;
    const context = { send, acks: acks.acksFor(packetId), protocolVersion };
    const flow: Observable<unknown> =
      packet.qos === 1
        ? outboundQos1Flow(packet, context)
        : outboundQos2Flow(packet, context, { from, onReleased: () => store.putOutbound({ packet, state: 'pubrel' }) });
    flow.subscribe({
      complete: () => this.finish(job, packetId, undefined),
      error: (error: unknown) => this.finish(job, packetId, error),
    });
  }

  private finish(job: Job, packetId: number, error: unknown): void {
    this.inFlight--;
    // A lost connection leaves the message in the store for a resumed session; anything else ends it.
    if (!(error instanceof ConnectionClosedError)) this.options.store.deleteOutbound(packetId);
    this.options.packetIds.release(packetId);
    const subscriber = job.subscriber;
    job.subscriber = undefined;
    if (subscriber !== undefined) {
      if (error === undefined) {
        subscriber.next();
        subscriber.complete();
      } else {
        subscriber.error(publishError(error));
      }
    }
    this.pump();
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
