import type { Subscriber } from 'rxjs';
import type { PublishPacket } from '../codec/packet.js';
import { ConnectionClosedError, EncodeError, InvalidArgumentError, MessageExpiredError } from '../errors.js';
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
  /** When it was published (Date.now()), for its Message Expiry Interval while it waits. */
  readonly createdAt = Date.now();

  constructor(
    readonly packet: PublishPacket,
    /** Who waits for the outcome; undefined once told, or for a flow resumed from an earlier process. */
    public subscriber: Subscriber<void> | undefined,
    /** Its size in the offline queue's budget (payload plus topic). */
    readonly bytes: number,
  ) {}

  /**
   * True when the message already went out `1 + maxResends` times, each time followed by a lost
   * connection before its acknowledgement: the server most likely closes the connection because of
   * it (a broker without QoS 2 closes it on such a PUBLISH), so sending it again would loop forever.
   * A QoS 2 flow past PUBREC is not limited (the server took the message; PUBREL frees its identifier).
   */
  overResendLimit(maxResends: number): boolean {
    return this.state === 'publish' && this.sends > maxResends;
  }

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

/**
 * The packet to send for `packet` after it waited since `createdAt`: with its MQTT 5 Message Expiry
 * Interval reduced by the whole seconds it waited (as a server does for what it held,
 * [MQTT-3.3.2-6]), the same packet when it has none, or a MessageExpiredError when the interval
 * ran out while it waited.
 */
export function unexpired(packet: PublishPacket, createdAt: number, now = Date.now()): PublishPacket | MessageExpiredError {
  const expiry = packet.properties?.messageExpiryInterval;
  if (expiry === undefined) return packet;
  const waited = Math.floor((now - createdAt) / 1000);
  if (waited === 0) return packet;
  if (waited >= expiry) return new MessageExpiredError(packet.topic, waited, expiry);
  return { ...packet, properties: { ...packet.properties, messageExpiryInterval: expiry - waited } };
}

/** The error of a publish given up after too many lost connections (see {@link PublishJob.overResendLimit}). */
export function resendLimitError(job: PublishJob): ConnectionClosedError {
  const { packet } = job;
  return new ConnectionClosedError(
    `publish to '${packet.topic}' (QoS ${packet.qos}) given up: the connection was lost each of the ${job.sends} times it was sent, ` +
      `before its acknowledgement; the server likely refuses it (for example a broker without QoS ${packet.qos} support, ` +
      'or a message it cannot take) (see the maxResends option)',
    { code: 'RESEND_LIMIT' },
  );
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
