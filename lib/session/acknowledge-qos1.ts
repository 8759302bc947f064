import type { OperatorFunction } from 'rxjs';
import { createOperatorSubscriber, operate } from '../operators/operate.js';
import type { Packet, PubackPacket } from '../codec/packet.js';

/**
 * The receiver's side of QoS 1 (MQTT section 4.3.2): every inbound QoS 1 PUBLISH is passed on and
 * then answered with a PUBACK carrying its packet identifier [MQTT-4.3.2-2] (3.1.1) [MQTT-4.3.2-4]
 * (5.0). Acknowledging after delivery gives the application the message before the broker may drop
 * it. All packets pass through unchanged.
 *
 * Cold, a transform with one side effect: subscribing subscribes to the source; each QoS 1 PUBLISH
 * makes `send` write a PUBACK. Errors and completion of the source pass through; whatever `send`
 * throws (an EncodeError) errors the stream.
 *
 * @example
 * ```ts
 * channel.packets.pipe(acknowledgeQos1((p) => channel.send(p))).subscribe(dispatch);
 * ```
 */
export function acknowledgeQos1(send: (packet: PubackPacket) => void): OperatorFunction<Packet, Packet> {
  return operate<Packet, Packet>((source, subscriber) => {
    source.subscribe(
      createOperatorSubscriber<Packet>(subscriber, {
        next(packet) {
          subscriber.next(packet);
          if (packet.type === 'publish' && packet.qos === 1) {
            send({ type: 'puback', packetId: packet.packetId ?? 0 });
          }
        },
      }),
    );
  });
}
