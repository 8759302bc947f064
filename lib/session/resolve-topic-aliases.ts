import type { OperatorFunction } from 'rxjs';
import { createOperatorSubscriber, operate } from '../operators/operate.js';
import type { Packet } from '../codec/packet.js';
import { ProtocolError } from '../errors.js';

/**
 * Resolves MQTT 5 topic aliases on inbound PUBLISH packets (MQTT section 3.3.2.3.4).
 *
 * A PUBLISH with a topic and a Topic Alias sets the alias; one with an empty topic and an alias
 * uses it, and is passed on with the topic filled in (the only case that allocates a new packet).
 * Every other packet passes through unchanged. The alias table belongs to one subscription (one
 * connection) [MQTT-3.3.2-7].
 *
 * Cold, a pure transform: subscribing subscribes to the source, nothing is sent.
 * Errors with {@link ProtocolError} (reason code 0x94, Topic Alias invalid) when an alias is 0 or
 * greater than `topicAliasMaximum` [MQTT-3.3.2-8] [MQTT-3.3.2-11], and (reason code 0x82) when an
 * empty topic names an alias that was never set.
 *
 * @example
 * ```ts
 * channel.packets.pipe(resolveTopicAliases(10)).subscribe((p) => p.type === 'publish' && console.log(p.topic));
 * ```
 */
export function resolveTopicAliases(topicAliasMaximum: number): OperatorFunction<Packet, Packet> {
  return operate<Packet, Packet>((source, subscriber) => {
    const aliases = new Map<number, string>();
    source.subscribe(
      createOperatorSubscriber<Packet>(subscriber, {
        next(packet) {
          const alias = packet.type === 'publish' ? packet.properties?.topicAlias : undefined;
          if (packet.type !== 'publish' || alias === undefined) {
            subscriber.next(packet);
            return;
          }
          if (alias === 0 || alias > topicAliasMaximum) {
            subscriber.error(
              new ProtocolError(`topic alias ${alias} is outside 1..${topicAliasMaximum}`, {
                reasonCode: 0x94,
                code: 'TOPIC_ALIAS_INVALID',
                specRef: alias === 0 ? 'MQTT-3.3.2-8' : 'MQTT-3.3.2-11',
              }),
            );
            return;
          }
          if (packet.topic !== '') {
            aliases.set(alias, packet.topic);
            subscriber.next(packet);
            return;
          }
          const topic = aliases.get(alias);
          if (topic === undefined) {
            subscriber.error(
              new ProtocolError(`PUBLISH with an empty topic uses topic alias ${alias}, which was never set`, {
                code: 'TOPIC_ALIAS_UNKNOWN',
              }),
            );
            return;
          }
          subscriber.next({ ...packet, topic });
        },
      }),
    );
  });
}
