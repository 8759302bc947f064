import type { QoS } from '../codec/packet.js';
import type { PublishProperties } from '../codec/properties.js';

/**
 * An application message inside the broker, independent of the protocol version it arrived with.
 * `properties` never holds a topic alias or subscription identifiers (those belong to one hop).
 */
export interface BrokerMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: PublishProperties | undefined;
  /** Epoch milliseconds after which the message is no longer delivered (MQTT 5 message expiry). */
  readonly expiresAt: number | undefined;
  /** Client id of the publisher (for No Local), undefined for messages the broker itself publishes. */
  readonly senderId: string | undefined;
}

/** Builds a {@link BrokerMessage}, stripping hop-local properties and computing the expiry time. */
export function brokerMessage(
  topic: string,
  payload: Uint8Array,
  qos: QoS,
  retain: boolean,
  properties: PublishProperties | undefined,
  senderId: string | undefined,
  now: number,
): BrokerMessage {
  let props = properties;
  if (props !== undefined && (props.topicAlias !== undefined || props.subscriptionIdentifiers !== undefined)) {
    const { topicAlias: _a, subscriptionIdentifiers: _s, ...rest } = props;
    void _a;
    void _s;
    props = Object.keys(rest).length === 0 ? undefined : rest;
  }
  const expiry = props?.messageExpiryInterval;
  return {
    topic,
    payload,
    qos,
    retain,
    properties: props,
    expiresAt: expiry === undefined ? undefined : now + expiry * 1000,
    senderId,
  };
}
