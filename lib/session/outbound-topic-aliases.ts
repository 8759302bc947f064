import type { PublishPacket } from '../codec/packet.js';

/**
 * The client's outbound topic aliases on one connection (MQTT 5 section 3.3.2.3.4): each topic it
 * publishes gets an alias from 1 to the server's Topic Alias Maximum [MQTT-3.3.2-9]; the first
 * PUBLISH of a topic carries the topic and its alias, later ones the alias and an empty topic.
 *
 * Replacement policy: least recently used. Once every alias is taken, a new topic takes the alias
 * of the topic published longest ago, and that PUBLISH carries the new topic with the alias again
 * (which re-binds it). A connection starts with no alias [MQTT-3.3.2-7]: an instance lives as long
 * as its connection. Allocation-free for a topic already bound, apart from the packet copy.
 *
 * @example
 * ```ts
 * const aliases = new OutboundTopicAliases(10); // the CONNACK's Topic Alias Maximum
 * aliases.apply(packet); // { ...packet, properties: { topicAlias: 1 } }, then { ...packet, topic: '', ... }
 * ```
 */
export class OutboundTopicAliases {
  /** Topic to alias, least recently used first (a Map keeps insertion order). */
  private readonly byTopic = new Map<string, number>();

  constructor(private readonly maximum: number) {}

  /**
   * The packet to send for `packet`: with its alias (and an empty topic once the server knows the
   * alias). Packets that already carry a Topic Alias are left as they are.
   */
  apply(packet: PublishPacket): PublishPacket {
    if (this.maximum === 0 || packet.properties?.topicAlias !== undefined || packet.topic === '') return packet;
    const { byTopic } = this;
    const known = byTopic.get(packet.topic);
    if (known !== undefined) {
      byTopic.delete(packet.topic); // now the most recently used
      byTopic.set(packet.topic, known);
      return { ...packet, topic: '', properties: { ...packet.properties, topicAlias: known } };
    }
    let alias: number;
    if (byTopic.size < this.maximum) {
      alias = byTopic.size + 1;
    } else {
      const [oldest, oldAlias] = byTopic.entries().next().value as [string, number];
      byTopic.delete(oldest);
      alias = oldAlias;
    }
    byTopic.set(packet.topic, alias);
    return { ...packet, properties: { ...packet.properties, topicAlias: alias } };
  }

  /** Forgets `topic`'s alias: the PUBLISH that would have told the server could not be sent. */
  forget(topic: string): void {
    this.byTopic.delete(topic);
  }
}
