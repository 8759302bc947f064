import type { OperatorFunction } from 'rxjs';
import { createOperatorSubscriber, operate } from '../operators/operate.js';
import type { Packet, PubcompPacket, PubrecPacket } from '../codec/packet.js';
import type { InboundAcks } from './inbound-acks.js';
import type { InFlightStore } from './in-flight-store.js';

/**
 * The receiver's side of QoS 2 (MQTT section 4.3.3, delivery on PUBLISH): each message is passed
 * on exactly once even when the broker resends the PUBLISH (with DUP) before it has seen our PUBREC.
 *
 * - QoS 2 PUBLISH with an identifier not held: the identifier is stored (`store.addInbound`), the
 *   packet is passed on, then PUBREC is sent [MQTT-4.3.3-2] (3.1.1) [MQTT-4.3.3-8] (5.0).
 * - QoS 2 PUBLISH with an identifier still held: not passed on again, PUBREC is sent again
 *   [MQTT-4.3.3-10].
 * - PUBREL: PUBCOMP is sent [MQTT-4.3.3-11], then the identifier is released; with MQTT 5 an unknown
 *   identifier is answered with reason code 0x92 (Packet Identifier not found). PUBREL is consumed.
 * - Everything else passes through unchanged.
 *
 * Cold; subscribing subscribes to the source. The held identifiers live in `store`, so they outlive
 * the connection when the store does. A throw of the store (a StoreError such as `STORE_IO`
 * or `STORE_CLOSED`) or of `send` errors the stream with that error: the PUBLISH is then neither
 * passed on nor acknowledged, so the broker sends it again on the next connection.
 *
 * With `acks` (the connection's {@link InboundAcks}, as a session uses it), PUBREC is not sent here:
 * the PUBLISH is passed on and `acks` sends PUBREC once the message was acknowledged (at once for
 * auto observers), in arrival order [MQTT-4.6.0-3]. The identifier is then recorded on arrival
 * only when `recordOnArrival()` says so (no manual observer could hold it); otherwise when PUBREC
 * leaves, so a message never acknowledged is delivered again when the broker resends it. A resend
 * of an identifier whose PUBREC is still waiting on this connection is not passed on again (that
 * PUBREC answers it). PUBCOMP frees the message's unit of the window (`acks.released()`).
 *
 * @example
 * ```ts
 * channel.packets.pipe(exactlyOnceQos2((p) => channel.send(p), store, 5)).subscribe(dispatch);
 * ```
 */
export function exactlyOnceQos2(
  send: (packet: PubrecPacket | PubcompPacket) => void,
  store: InFlightStore,
  protocolVersion: 4 | 5,
  acks?: InboundAcks,
  recordOnArrival: () => boolean = () => true,
): OperatorFunction<Packet, Packet> {
  return operate<Packet, Packet>((source, subscriber) => {
    source.subscribe(
      createOperatorSubscriber<Packet>(subscriber, {
        next(packet) {
          if (packet.type === 'publish' && packet.qos === 2) {
            const packetId = packet.packetId ?? 0;
            if (acks === undefined) {
              if (store.addInbound(packetId)) subscriber.next(packet); // a held id is a resend [MQTT-4.3.3-10]
              send({ type: 'pubrec', packetId });
              return;
            }
            if (store.hasInbound(packetId)) {
              acks.resendPubrec(packetId); // a held id is a resend [MQTT-4.3.3-10]
              return;
            }
            if (acks.isWaitingPubrec(packetId)) return;
            if (recordOnArrival()) store.addInbound(packetId);
            subscriber.next(packet); // acks sends PUBREC [MQTT-4.3.3-8] once acknowledged
            return;
          }
          if (packet.type === 'pubrel') {
            const { packetId } = packet;
            const known = store.hasInbound(packetId);
            const reasonCode = known || protocolVersion === 4 ? 0 : 0x92;
            send(reasonCode === 0 ? { type: 'pubcomp', packetId } : { type: 'pubcomp', packetId, reasonCode });
            // Released only once PUBCOMP is out: a connection lost before it gets the PUBREL again.
            if (known) {
              store.deleteInbound(packetId);
              acks?.released();
            }
            return;
          }
          subscriber.next(packet);
        },
      }),
    );
  });
}
