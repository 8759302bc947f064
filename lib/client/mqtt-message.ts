import type { PublishPacket, QoS } from '../codec/packet.js';
import type { PublishProperties } from '../codec/properties.js';

/**
 * An application message received on a subscription. `P` is the type of `params`: the parameters
 * of the topic pattern it was subscribed with (see {@link topicPattern}), `undefined` for a plain
 * filter.
 *
 * @example
 * ```ts
 * client.subscribe('sensors/#').subscribe((m) => console.log(m.topic, m.text(), m.qos, m.retain));
 * client.subscribe(topicPattern('sensors/:room')).subscribe((m) => console.log(m.params.room));
 * ```
 */
export interface MqttMessage<P = undefined> {
  readonly topic: string;
  /** A view into the received bytes (not a copy). */
  readonly payload: Uint8Array;
  readonly qos: QoS;
  /** True for a retained message sent because of a new subscription. */
  readonly retain: boolean;
  /** True when the server marked this PUBLISH as a possible re-delivery. */
  readonly dup: boolean;
  /** MQTT 5 properties (user properties, content type, response topic, ...), when the server sent any. */
  readonly properties?: PublishProperties;
  /** The topic pattern's parameters, when subscribed with a pattern; undefined for a plain filter. */
  readonly params: P;
  /** The payload decoded as UTF-8. */
  text(): string;
  /** The payload decoded as UTF-8 and parsed as JSON; throws SyntaxError for invalid JSON. */
  json<T = unknown>(): T;
}

const utf8 = new TextDecoder();

/** The {@link MqttMessage} built from an inbound PUBLISH (methods live on the prototype: no closures per message). */
export class ReceivedMessage implements MqttMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  readonly properties?: PublishProperties;
  readonly params: undefined = undefined;

  constructor(packet: PublishPacket) {
    this.topic = packet.topic;
    this.payload = packet.payload;
    this.qos = packet.qos;
    this.retain = packet.retain;
    this.dup = packet.dup;
    this.properties = packet.properties; // always set: one object shape for every message
  }

  text(): string {
    return utf8.decode(this.payload);
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}

/**
 * The message as seen through a topic pattern: `message` is its prototype (so every field and
 * method is the message's own), with `params` set.
 */
export function withParams<P>(message: MqttMessage<unknown>, params: P): MqttMessage<P> {
  return Object.create(message, { params: { value: params, enumerable: true } }) as MqttMessage<P>;
}
