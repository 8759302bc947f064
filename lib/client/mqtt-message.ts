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
  /** The topic the message was published to (resolved from its topic alias, if it had one). */
  readonly topic: string;
  /** A view into the received bytes (not a copy). */
  readonly payload: Uint8Array;
  /** The QoS it was delivered with: the lower of the publish's QoS and the subscription's. */
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
  /**
   * Acknowledges the message for this observer, on a subscription with `ack: 'manual'` (see
   * docs/flow-control.md). Idempotent; no effect for an `ack: 'auto'` subscription, on a message
   * delivered while no connection could hold it, or once the connection it came on has ended (it
   * is then never acknowledged: a persistent session gets it again). The PUBACK (QoS 1) or PUBREC
   * (QoS 2) leaves once every manual observer of the message acked it and every message that
   * arrived before it was acknowledged [MQTT-4.6.0-2] [MQTT-4.6.0-3]; at QoS 0 nothing is sent, but
   * the message holds its unit of the inbound window until acked. Never throws.
   *
   * @example
   * ```ts
   * client.subscribe('jobs/#', { qos: 1, ack: 'manual' }).subscribe(async (m) => {
   *   await save(m.json());
   *   m.ack(); // PUBACK (in arrival order)
   * });
   * ```
   */
  ack(): void;
}

/** The acknowledgement behind a manual observer's message (internal). */
export interface MessageAcknowledger {
  ack(): void;
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
  /** Set on a manual observer's view of the message (see {@link manualView}); inherited by derived messages. */
  ackHandle: MessageAcknowledger | undefined = undefined;

  /** From an inbound PUBLISH, or from another message's fields (see {@link manualView}). */
  constructor(packet: PublishPacket | ReceivedMessage) {
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

  ack(): void {
    // Read through the prototype chain: a pattern's or json()'s derived message reaches its view's handle.
    const handle = this.ackHandle;
    if (handle !== undefined) handle.ack();
  }
}

/**
 * A manual observer's own view of `message`, whose `ack()` is the observer's `handle` (so two
 * manual observers of one message each ack for themselves). A {@link ReceivedMessage} is copied
 * into a view of the same class (the fields are shared, the payload is the same view of the received
 * bytes); any other object becomes the view's prototype.
 *
 * @example
 * ```ts
 * const view = manualView(message, { ack: () => console.log('acked') });
 * view.ack(); // 'acked'; message.ack() itself does nothing
 * ```
 */
export function manualView<M>(message: M, handle: MessageAcknowledger): M {
  // A copy of the same class, not Object.create(message): a fresh prototype per message costs V8 a
  // new hidden class each time, and makes every later property read polymorphic.
  if (message instanceof ReceivedMessage && Object.getPrototypeOf(message) === ReceivedMessage.prototype) {
    const view = new ReceivedMessage(message);
    view.ackHandle = handle;
    return view as M;
  }
  const view = Object.create(message as object) as { ackHandle: MessageAcknowledger | undefined };
  view.ackHandle = handle;
  return view as M;
}

/**
 * The message as seen through a topic pattern: `message` is its prototype (so every field and
 * method is the message's own), with `params` set.
 */
export function withParams<P>(message: MqttMessage<unknown>, params: P): MqttMessage<P> {
  return Object.create(message, { params: { value: params, enumerable: true } }) as MqttMessage<P>;
}
