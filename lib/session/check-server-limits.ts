import type { ConnackPacket, PublishPacket, QoS } from '../codec/packet.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * What a publish above the server's Maximum QoS does: `'refuse'` fails it with
 * {@link InvalidArgumentError} (`argument` `options.qos`, `specRef` `MQTT-3.2.2-11`) before anything
 * is sent; `'downgrade'` sends it at the server's Maximum QoS, and it completes as that QoS does.
 *
 * @example
 * ```ts
 * const policy: MaximumQoSPolicy = 'downgrade';
 * connect(url, { protocolVersion: 5, aboveMaximumQoS: policy });
 * ```
 */
export type MaximumQoSPolicy = 'refuse' | 'downgrade';

/**
 * What is wrong with sending `packet` to a server that answered `connack`, as the error to raise,
 * or undefined when it may be sent: a QoS above the server's Maximum QoS [MQTT-3.2.2-11], or a
 * retained message when the server has no retain support [MQTT-3.2.2-14]. (The server's Maximum
 * Packet Size is checked when the packet is encoded.)
 *
 * @example
 * ```ts
 * const problem = checkServerLimits(packet, connack);
 * if (problem) return throwError(() => problem);
 * ```
 */
export function checkServerLimits(packet: PublishPacket, connack: ConnackPacket): InvalidArgumentError | undefined {
  const maximumQoS = connack.properties?.maximumQoS ?? 2;
  if (packet.qos > maximumQoS) {
    // [MQTT-3.2.2-11]
    return new InvalidArgumentError('options.qos', `the server accepts at most QoS ${maximumQoS}`, { specRef: 'MQTT-3.2.2-11' });
  }
  if (packet.retain && connack.properties?.retainAvailable === false) {
    // [MQTT-3.2.2-14]
    return new InvalidArgumentError('options.retain', 'the server does not support retained messages', { specRef: 'MQTT-3.2.2-14' });
  }
  return undefined;
}

/**
 * `packet` as it goes to a server that answered `connack`: with `policy` `'downgrade'`, a QoS above
 * the server's Maximum QoS becomes that maximum (the client must not send more [MQTT-3.2.2-11]);
 * otherwise, or when it is within the limit, the packet itself. A downgraded QoS 0 publish loses
 * its packet identifier.
 *
 * @example
 * ```ts
 * fitServerLimits(packet, connack, 'downgrade'); // QoS 2 -> 1 when the server's Maximum QoS is 1
 * ```
 */
export function fitServerLimits(packet: PublishPacket, connack: ConnackPacket, policy: MaximumQoSPolicy | undefined): PublishPacket {
  const maximumQoS: QoS = connack.properties?.maximumQoS ?? 2;
  if (policy !== 'downgrade' || packet.qos <= maximumQoS) return packet;
  if (maximumQoS === 0) {
    const { packetId: _id, ...rest } = packet;
    return { ...rest, qos: 0, dup: false };
  }
  return { ...packet, qos: maximumQoS };
}
