import type { OperatorFunction } from 'rxjs';
import type { Packet } from '../codec/packet.js';
import { ProtocolError } from '../errors.js';
import { createOperatorSubscriber, operate } from '../operators/operate.js';
import type { InboundAcks } from './inbound-acks.js';

/** Options of {@link inboundWindow}. */
export interface InboundWindowOptions {
  /** Counts the window's units ({@link InboundAcks.inUse}) and says when acknowledgements freed some. */
  readonly acks: InboundAcks;
  /** Stops reading the transport (TCP then pushes back on the broker). */
  readonly pause: () => void;
  /** Reads the transport again. */
  readonly resume: () => void;
  /**
   * MQTT 5 strict mode: a QoS 1/2 PUBLISH beyond the window the client announced (Receive Maximum)
   * errors the stream with ProtocolError 0x93 Receive Maximum exceeded [MQTT-3.3.4-9], instead of
   * being held. Default false.
   */
  readonly strict?: boolean;
}

/**
 * The client's inbound credit window over the decoded packet stream: while the window is full
 * (`acks.full`: as many messages delivered and not yet acknowledged as the window allows), a
 * PUBLISH is held instead of passed on, and so is every PUBLISH after it, in order; the transport
 * is paused at the first held one and resumed once acknowledgements freed units and every held
 * PUBLISH was passed on. What is held is bounded by what had been read before the pause took
 * effect (one chunk or so with a TCP socket). While the application holds no unit (the window is
 * full of QoS 2 messages whose PUBREC left), reading goes on: only the server's PUBREL can free
 * those units, and a paused reader would never see it. Other packets (acks of the client's publishes,
 * PUBREL, PINGRESP, DISCONNECT) are passed on at once, even while publishes are held.
 *
 * A broker that honours the window (MQTT 5 Receive Maximum) never makes it hold anything; one
 * that sends past it (Mosquitto 2.0.11, or any 3.1.1 broker, which knows no window) is slowed
 * down through the socket. With `strict`, such a broker is disconnected instead.
 *
 * Cold; subscribing subscribes to the source. Unsubscribing drops what is held (never
 * acknowledged, so a persistent session gets it again) and resumes nothing. Errors with
 * ProtocolError (`strict`) and the source's errors.
 *
 * @example
 * ```ts
 * channel.packets.pipe(inboundWindow({ acks, pause: () => channel.pauseReading(), resume: () => channel.resumeReading() }))
 * ```
 */
export function inboundWindow(options: InboundWindowOptions): OperatorFunction<Packet, Packet> {
  const { acks, pause, resume, strict = false } = options;
  return operate<Packet, Packet>((source, subscriber) => {
    const held: Packet[] = [];
    let head = 0;
    let reading = true;
    let draining = false;
    // Read on while nothing is held, or while the application holds no unit: then only the server
    // can free units (PUBREL for QoS 2 messages whose PUBREC left), and a paused reader would never
    // see its PUBREL. Otherwise an acknowledgement of the application will free a unit.
    const syncReading = (): void => {
      const read = head === held.length || acks.heldByApplication <= 0;
      if (read === reading) return;
      reading = read;
      if (read) resume();
      else pause();
    };
    const drain = (): void => {
      // Not re-entered from an ack made while a held message is delivered: the outer loop goes on,
      // so acknowledgements keep the arrival order.
      if (draining) return;
      draining = true;
      try {
        while (head < held.length && !acks.full && !subscriber.closed) {
          const packet = held[head]!;
          held[head++] = undefined as unknown as Packet;
          subscriber.next(packet);
        }
      } finally {
        draining = false;
      }
      if (head === held.length) {
        held.length = 0;
        head = 0;
      }
      syncReading();
    };
    acks.onRelease = () => {
      if (head === held.length) return;
      if (!acks.full) drain();
      else syncReading();
    };
    source.subscribe(
      createOperatorSubscriber<Packet>(subscriber, {
        next: (packet) => {
          if (packet.type !== 'publish' || (head === held.length && !acks.full)) {
            subscriber.next(packet);
            return;
          }
          if (strict && packet.qos > 0 && acks.inUse - acks.qos0InUse >= acks.window) {
            throw new ProtocolError(`the server sent more than Receive Maximum (${acks.window}) unacknowledged QoS 1/2 messages`, {
              reasonCode: 0x93,
              code: 'RECEIVE_MAXIMUM_EXCEEDED',
              specRef: 'MQTT-3.3.4-9',
            });
          }
          held.push(packet);
          syncReading();
        },
      }),
    );
    return () => {
      acks.onRelease = undefined;
    };
  });
}
