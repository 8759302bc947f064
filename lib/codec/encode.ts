import { EncodeError } from '../errors.js';
import type { Packet, ProtocolVersion } from './packet.js';
import { PACKET_TYPE_BY_NAME, type PacketNameTable } from './packet-types.js';
import { encodePublish } from './packets/publish.js';
import { show } from './byte-writer.js';

/** Options of {@link encode}. */
export interface EncodeOptions {
  /** 4 = MQTT 3.1.1, 5 = MQTT 5.0. For CONNECT the packet's own protocolVersion wins. */
  readonly protocolVersion: ProtocolVersion;
  /** When set, a packet that would be larger throws EncodeError (code ENCODE_PACKET_TOO_LARGE). */
  readonly maximumPacketSize?: number;
}

/**
 * Encodes one packet into a new Uint8Array (one allocation, sized exactly). Pure and synchronous.
 *
 * MQTT 5.0-only fields (properties, reason codes of acknowledgements) are left out when encoding
 * 3.1.1. A packet that cannot be put on the wire throws {@link EncodeError} whose `field` names the
 * offending field (`topic`, `packetId`, `subscriptions[0].topicFilter`, `properties.topicAlias`, ...)
 * and whose `code` says why (`ENCODE_INVALID_TOPIC`, `ENCODE_PACKET_TOO_LARGE`, ...).
 *
 * @example
 * ```ts
 * const bytes = encode(
 *   { type: 'publish', topic: 'a/b', payload: new TextEncoder().encode('hi'), qos: 1, packetId: 7, retain: false, dup: false },
 *   { protocolVersion: 5 },
 * );
 * ```
 */
export function encode(packet: Packet, options: EncodeOptions): Uint8Array {
  return encodeWith(PACKET_TYPE_BY_NAME, packet, options);
}

/**
 * {@link encode} through the given table: the full one, or the client's (client-packet-types.ts),
 * which a client bundle carries instead. A type missing from the table is `ENCODE_INVALID_PACKET`.
 */
export function encodeWith(types: PacketNameTable, packet: Packet, options: EncodeOptions): Uint8Array {
  const version = options?.protocolVersion;
  if (version !== 4 && version !== 5) {
    throw new EncodeError('ENCODE_INVALID_OPTIONS', `must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0), got ${show(version)}`, 'protocolVersion');
  }
  const max = options.maximumPacketSize;
  if (max !== undefined && (typeof max !== 'number' || !(max >= 2))) {
    throw new EncodeError('ENCODE_INVALID_OPTIONS', `must be a number of at least 2, got ${show(max)}`, 'maximumPacketSize');
  }
  if (packet === null || typeof packet !== 'object') {
    throw new EncodeError('ENCODE_INVALID_PACKET', 'must be a packet object', 'packet');
  }
  // The hot path skips the table lookup.
  if (packet.type === 'publish') return encodePublish(packet, version, max);
  const entry = types.get(packet.type);
  if (entry === undefined) {
    throw new EncodeError('ENCODE_INVALID_PACKET', `unknown packet type '${show((packet as { type?: unknown }).type)}'`, 'type');
  }
  return entry.encode(packet as never, version, max);
}
