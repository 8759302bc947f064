import type { SubscribeProperties } from '../properties.js';
import type { QoS } from '../packet.js';

/** One topic filter of a SUBSCRIBE and its options. */
export interface Subscription {
  readonly topicFilter: string;
  /** Maximum QoS. */
  readonly qos: QoS;
  /** MQTT 5.0 only (decoders set false). */
  readonly noLocal?: boolean;
  /** MQTT 5.0 only (decoders set false). */
  readonly retainAsPublished?: boolean;
  /** MQTT 5.0 only (decoders set 0): 0 send retained, 1 only for new subscriptions, 2 never. */
  readonly retainHandling?: 0 | 1 | 2;
}

/** SUBSCRIBE (type 8, fixed header flags 0b0010). */
export interface SubscribePacket {
  readonly type: 'subscribe';
  readonly packetId: number;
  /** At least one. */
  readonly subscriptions: readonly Subscription[];
  readonly properties?: SubscribeProperties;
}
