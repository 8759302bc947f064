import type { PublishPacket, QoS } from '../codec/packet.js';
import type { PublishProperties } from '../codec/properties.js';
import type { BrokerMessage } from './broker-message.js';

/**
 * The PUBLISH packet that delivers `message` to one client: QoS and retain flag chosen by the
 * caller, MQTT 5 properties only for a 5.0 client (with its subscription identifiers and the
 * remaining message expiry), none for a 3.1.1 client.
 */
export function outboundPublish(
  message: BrokerMessage,
  qos: QoS,
  retain: boolean,
  dup: boolean,
  packetId: number | undefined,
  subscriptionIds: readonly number[] | undefined,
  protocolVersion: 4 | 5,
  now: number,
): PublishPacket {
  let properties: PublishProperties | undefined;
  if (protocolVersion === 5) {
    properties = message.properties;
    if (message.expiresAt !== undefined || subscriptionIds !== undefined) {
      properties = { ...properties };
      if (message.expiresAt !== undefined) {
        // The receiver sees the time still left [MQTT-3.3.2-6].
        (properties as { messageExpiryInterval?: number }).messageExpiryInterval = Math.max(0, Math.ceil((message.expiresAt - now) / 1000));
      }
      if (subscriptionIds !== undefined) (properties as { subscriptionIdentifiers?: readonly number[] }).subscriptionIdentifiers = subscriptionIds;
    }
  }
  return {
    type: 'publish',
    topic: message.topic,
    payload: message.payload,
    qos,
    retain,
    dup,
    packetId,
    properties,
  };
}
