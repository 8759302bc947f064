import { encode } from '../codec/encode.js';
import type { ConnackPacket } from '../codec/packet.js';
import type { ConnackProperties } from '../codec/properties.js';

/**
 * CONNACK properties the broker may leave out when the client's Maximum Packet Size is too small,
 * in the order they go. First those whose absence means the same (the four "available" flags are
 * true when absent, Receive Maximum 65535 is its default), then those whose absence only makes the
 * client more careful or tells it less: no Topic Alias Maximum means the client uses no aliases; no
 * Maximum Packet Size or lower Receive Maximum means the broker still enforces its own (a client
 * that exceeds them is disconnected with 0x95 / 0x93). Assigned Client Identifier, Session Expiry
 * Interval and Server Keep Alive change how the client must behave and are never left out.
 */
type Props = { -readonly [K in keyof ConnackProperties]?: ConnackProperties[K] };

const DROP_STEPS: readonly ((p: Props) => void)[] = [
  (p) => {
    delete p.wildcardSubscriptionAvailable;
    delete p.subscriptionIdentifiersAvailable;
    delete p.sharedSubscriptionAvailable;
    delete p.retainAvailable;
  },
  (p) => {
    if (p.receiveMaximum === 65535) delete p.receiveMaximum;
  },
  (p) => delete p.topicAliasMaximum,
  (p) => delete p.maximumPacketSize,
  (p) => delete p.receiveMaximum,
];

/**
 * The MQTT 5 CONNACK to send to a client whose Maximum Packet Size is `maximumPacketSize`: the
 * packet as given when it fits, else the same with optional properties dropped until it does, or
 * `undefined` when even the smallest CONNACK is too large (the broker must then send nothing
 * [MQTT-3.1.2-24] and closes the connection).
 *
 * @example
 * ```ts
 * fitConnack({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { retainAvailable: true } }, 5);
 * // { type: 'connack', sessionPresent: false, reasonCode: 0, properties: undefined }
 * ```
 */
export function fitConnack(packet: ConnackPacket, maximumPacketSize: number | undefined): ConnackPacket | undefined {
  if (maximumPacketSize === undefined || size(packet) <= maximumPacketSize) return packet;
  const properties: Props = { ...packet.properties };
  for (const drop of DROP_STEPS) {
    drop(properties);
    const candidate: ConnackPacket = { ...packet, properties: Object.keys(properties).length > 0 ? { ...properties } : undefined };
    if (size(candidate) <= maximumPacketSize) return candidate;
  }
  return undefined;
}

function size(packet: ConnackPacket): number {
  return encode(packet, { protocolVersion: 5 }).byteLength;
}
