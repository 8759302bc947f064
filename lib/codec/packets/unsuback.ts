import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { checkPacketId, startPacket, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_UNSUBACK } from '../property-table.js';
import type { AckProperties } from '../properties.js';
import { checkReasonCode, readReasonCode } from '../reason-codes.js';

/** UNSUBACK (type 11). */
export interface UnsubackPacket {
  /** The packet's kind: UNSUBACK. */
  readonly type: 'unsuback';
  /** The packet identifier of the UNSUBSCRIBE it answers. */
  readonly packetId: number;
  /** MQTT 5.0 only: one reason code per topic filter. Absent in 3.1.1. */
  readonly reasonCodes?: readonly number[];
  /** MQTT 5.0 only: reason string and user properties. */
  readonly properties?: AckProperties;
}

/** Encodes an UNSUBACK (3.1.1: packet id only; 5.0: properties and one reason code per filter). */
export function encodeUnsuback(p: UnsubackPacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  checkPacketId(p.packetId);
  if (version === 4) {
    const w = startPacket(0xb0, 2, maximumPacketSize, 'packet');
    w.u16(p.packetId);
    return w.buf;
  }
  const codes = p.reasonCodes;
  if (!Array.isArray(codes) || codes.length === 0) {
    throw new EncodeError('ENCODE_INVALID_FIELD', 'must hold one reason code per topic filter (at least one) in MQTT 5.0', 'reasonCodes');
  }
  for (let i = 0; i < codes.length; i++) checkReasonCode('unsuback', codes[i], `reasonCodes[${i}]`);
  const propsLength = propertiesLength(p.properties, K_UNSUBACK, 'properties');
  const remaining = 2 + vbiLength(propsLength) + propsLength + codes.length;
  const w = startPacket(0xb0, remaining, maximumPacketSize, 'reasonCodes');
  w.u16(p.packetId);
  writeProperties(w, p.properties, propsLength);
  for (let i = 0; i < codes.length; i++) w.u8(codes[i]);
  return w.buf;
}

/** Decodes an UNSUBACK body. */
export function decodeUnsuback(r: ByteReader): UnsubackPacket {
  const packetId = r.packetId();
  if (r.version === 4) return { type: 'unsuback', packetId, reasonCodes: undefined, properties: undefined };
  const properties = readProperties(r, K_UNSUBACK) as AckProperties | undefined;
  if (r.remaining === 0) r.fail('DECODE_TRUNCATED', 'UNSUBACK must contain at least one reason code');
  const reasonCodes: number[] = [];
  while (r.remaining > 0) reasonCodes.push(readReasonCode(r, 'unsuback'));
  return { type: 'unsuback', packetId, reasonCodes, properties };
}
