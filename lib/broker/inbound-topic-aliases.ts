import type { PublishPacket } from '../codec/packet.js';
import { ProtocolError } from '../errors.js';

/**
 * The topic aliases one MQTT 5 client set towards the broker on one connection (they start empty
 * on every connection [MQTT-3.3.2-7]). Owned by the connection; the publish flow gets the topic
 * from {@link InboundTopicAliases.resolve}.
 *
 * @example
 * ```ts
 * const aliases = new InboundTopicAliases(64);
 * aliases.resolve(publish); // the topic name, learning or using the alias it carries
 * ```
 */
export class InboundTopicAliases {
  private readonly topics = new Map<number, string>();

  /** `maximum`: the Topic Alias Maximum announced in CONNACK. */
  constructor(private readonly maximum: number) {}

  /**
   * The topic name of `packet`: its own, after recording the alias it sets, or the one its alias
   * stands for. Throws a ProtocolError for an alias outside 1..maximum [MQTT-3.3.2-9], an unknown
   * alias with an empty topic [MQTT-3.3.2-12], and an empty topic without an alias [MQTT-3.3.2-1].
   */
  resolve(packet: PublishPacket): string {
    const topic = packet.topic;
    const alias = packet.properties?.topicAlias;
    if (alias === undefined) {
      if (topic === '') throw new ProtocolError('PUBLISH without a topic name or topic alias', { specRef: 'MQTT-3.3.2-1' });
      return topic;
    }
    if (alias === 0 || alias > this.maximum) {
      throw new ProtocolError(`topic alias ${alias} is outside 1..${this.maximum}`, { reasonCode: 0x94, specRef: 'MQTT-3.3.2-9' });
    }
    if (topic !== '') {
      this.topics.set(alias, topic);
      return topic;
    }
    const known = this.topics.get(alias);
    if (known === undefined) throw new ProtocolError(`topic alias ${alias} was never set`, { specRef: 'MQTT-3.3.2-12' });
    return known;
  }
}
