import type { Subscriber } from 'rxjs';
import type { PublishPacket } from '../codec/packet.js';
import { EncodeError, InvalidArgumentError } from '../errors.js';
import type { OutboundState } from './in-flight-store.js';

/**
 * One application message on its way out, from `publish()` to its completion: queued, then (QoS
 * 1/2) a flow holding a packet identifier until PUBACK or PUBCOMP, across reconnects.
 *
 * @example
 * ```ts
 * const job = new PublishJob(packet, subscriber, packet.payload.byteLength + packet.topic.length);
 * job.settle(undefined); // the publish completes
 * ```
 */
export class PublishJob {
  /** Taken from the queue: a flow runs (or ran) for it. */
  started = false;
  /** Counted in the offline queue's budget while it waits there. */
  offline = false;
  /** Where the flow is: `pubrel` once the server took a QoS 2 message (PUBREC). */
  state: OutboundState = 'publish';
  /** The store refused the PUBREC state change: the flow is finished on the next connection. */
  unrecorded = false;
  /** How many times its flow was started (PUBLISH or PUBREL sent), on this and earlier connections. */
  sends = 0;

  constructor(
    readonly packet: PublishPacket,
    /** Who waits for the outcome; undefined once told, or for a flow resumed from an earlier process. */
    public subscriber: Subscriber<void> | undefined,
    /** Its size in the offline queue's budget (payload plus topic). */
    readonly bytes: number,
  ) {}

  /** Tells the publisher the outcome once: completion (`error` undefined) or the error. */
  settle(error: unknown): void {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    if (error === undefined) {
      subscriber.next();
      subscriber.complete();
    } else {
      subscriber.error(publishError(error));
    }
  }
}

/** The error a publish fails with: a PUBLISH too large for the server names the payload. */
export function publishError(error: unknown): unknown {
  if (error instanceof EncodeError && error.code === 'ENCODE_PACKET_TOO_LARGE') {
    return new InvalidArgumentError('payload', `the PUBLISH is larger than the server's Maximum Packet Size (${error.message})`, {
      cause: error,
      specRef: 'MQTT-3.2.2-15',
    });
  }
  return error;
}
