// CONTRACT STUB: the codec implementation replaces the body; the signatures are the contract.
import type { Packet, ProtocolVersion } from './packet.js';

/** Options of {@link encode}. */
export interface EncodeOptions {
  /** 4 = MQTT 3.1.1, 5 = MQTT 5.0. For CONNECT the packet's own protocolVersion wins. */
  readonly protocolVersion: ProtocolVersion;
  /** When set, a packet that would be larger throws EncodeError (code ENCODE_PACKET_TOO_LARGE). */
  readonly maximumPacketSize?: number;
}

/** Encodes one packet into a new Uint8Array. Throws EncodeError naming the field for an invalid packet. */
export function encode(packet: Packet, options: EncodeOptions): Uint8Array {
  void packet; void options;
  throw new Error('not implemented');
}
