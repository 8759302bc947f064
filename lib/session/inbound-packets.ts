import type { OperatorFunction } from 'rxjs';
import type { Packet, ProtocolVersion } from '../codec/packet.js';
import { acknowledgeQos1 } from './acknowledge-qos1.js';
import { exactlyOnceQos2 } from './exactly-once-qos2.js';
import type { InboundAcks } from './inbound-acks.js';
import type { InFlightStore } from './in-flight-store.js';
import { resolveTopicAliases } from './resolve-topic-aliases.js';

/** Options of {@link inboundPackets}. */
export interface InboundPacketsOptions {
  readonly send: (packet: Packet) => void;
  /** Holds the inbound QoS 2 identifiers until PUBREL. */
  readonly store: InFlightStore;
  readonly protocolVersion: ProtocolVersion;
  /** Our CONNECT's Topic Alias Maximum (MQTT 5; 0 = aliases not accepted). */
  readonly topicAliasMaximum: number;
  /**
   * The connection's acknowledgements in arrival order. When given, PUBACK and PUBREC are sent by it
   * (after delivery, once manual observers acked) instead of right after each packet passed.
   */
  readonly acks?: InboundAcks;
  /** With `acks`: whether a QoS 2 identifier is recorded on arrival (true when no manual observer exists). */
  readonly recordOnArrival?: () => boolean;
}

/**
 * The receiving half of a client session as one operator over the decoded packet stream: MQTT 5
 * topic aliases resolved ({@link resolveTopicAliases}), QoS 2 delivered exactly once
 * ({@link exactlyOnceQos2}), QoS 1 acknowledged after delivery ({@link acknowledgeQos1}).
 * What comes out is every packet for the session to handle, PUBLISH with its full topic, minus
 * PUBREL and resent QoS 2 duplicates.
 *
 * Cold; subscribing subscribes to the source. Sends PUBACK, PUBREC and PUBCOMP as packets pass.
 * Errors with ProtocolError for topic alias violations, and with the source's errors.
 *
 * @example
 * ```ts
 * channel.packets.pipe(inboundPackets({ send, store, protocolVersion: 5, topicAliasMaximum: 10 })).subscribe(handle);
 * ```
 */
export function inboundPackets(options: InboundPacketsOptions): OperatorFunction<Packet, Packet> {
  const { send, store, protocolVersion, topicAliasMaximum, acks } = options;
  return (source) => {
    const resolved = protocolVersion === 5 ? source.pipe(resolveTopicAliases(topicAliasMaximum)) : source;
    if (acks !== undefined) return resolved.pipe(exactlyOnceQos2(send, store, protocolVersion, acks, options.recordOnArrival));
    return resolved.pipe(exactlyOnceQos2(send, store, protocolVersion), acknowledgeQos1(send));
  };
}
