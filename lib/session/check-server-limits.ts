import type { ConnackPacket, PublishPacket } from '../codec/packet.js';
import { InvalidArgumentError } from '../errors.js';

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
