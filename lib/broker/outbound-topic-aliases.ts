import type { PublishPacket } from '../codec/packet.js';

/**
 * The topic aliases the broker assigns to the topics it sends one MQTT 5 connection, within the
 * Topic Alias Maximum the client announced in CONNECT [MQTT-3.3.2-11] [MQTT-3.3.2-12]. One per
 * connection: aliases start empty on every new connection [MQTT-3.3.2-7].
 *
 * Policy: first come, first served. The first `maximum` distinct topics get aliases 1..maximum in
 * the order they are first sent and keep them for the connection; later topics are sent in full.
 * The first PUBLISH of an aliased topic carries the topic and the alias (which tells the client
 * the mapping), the later ones the alias and an empty topic. No alias is ever reassigned, so the
 * client never has to forget one, and the cost is one map lookup per PUBLISH.
 */
export class OutboundTopicAliases {
  private readonly aliases = new Map<string, number>();

  constructor(private readonly maximum: number) {}

  /**
   * The packet to send for `packet`: with its topic's alias (and an empty topic once the client
   * knows it). `fresh` is true when this send would teach the client a new alias, which
   * {@link forget} takes back if the packet could not be sent.
   */
  apply(packet: PublishPacket): { readonly packet: PublishPacket; readonly fresh: boolean } {
    const topic = packet.topic;
    const known = this.aliases.get(topic);
    if (known !== undefined) return { packet: { ...packet, topic: '', properties: { ...packet.properties, topicAlias: known } }, fresh: false };
    if (this.aliases.size >= this.maximum || topic.length < 2) return { packet, fresh: false };
    const alias = this.aliases.size + 1;
    this.aliases.set(topic, alias);
    return { packet: { ...packet, properties: { ...packet.properties, topicAlias: alias } }, fresh: true };
  }

  /** Takes back the alias just assigned to `topic` (its PUBLISH was not sent). */
  forget(topic: string): void {
    if (this.aliases.get(topic) === this.aliases.size) this.aliases.delete(topic);
  }
}
