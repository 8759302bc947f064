import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { checkPacketId, show, startPacket, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_SUBACK } from '../property-table.js';
import type { AckProperties } from '../properties.js';
import { checkReasonCode, readReasonCode } from '../reason-codes.js';

/** SUBACK (type 9). */
export interface SubackPacket {
  /** The packet's kind: SUBACK. */
  readonly type: 'suback';
  /** The packet identifier of the SUBSCRIBE it answers. */
  readonly packetId: number;
  /** One per requested subscription: the granted QoS (0, 1, 2) or a failure code (>= 0x80). */
  readonly reasonCodes: readonly number[];
  /** MQTT 5.0 only: reason string and user properties. */
  readonly properties?: AckProperties;
}

const isV4Code = (c: unknown): boolean => c === 0 || c === 1 || c === 2 || c === 0x80;

/** Encodes a SUBACK. */
export function encodeSuback(p: SubackPacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  checkPacketId(p.packetId);
  const codes = p.reasonCodes;
  if (!Array.isArray(codes) || codes.length === 0) {
    throw new EncodeError('ENCODE_INVALID_FIELD', 'must hold one reason code per subscription (at least one)', 'reasonCodes');
  }
  for (let i = 0; i < codes.length; i++) {
    if (version === 5) checkReasonCode('suback', codes[i], `reasonCodes[${i}]`);
    else if (!isV4Code(codes[i])) {
      throw new EncodeError('ENCODE_INVALID_REASON_CODE', `must be 0, 1, 2 or 0x80, got ${show(codes[i])}`, `reasonCodes[${i}]`, { specRef: 'MQTT-3.9.3-2' });
    }
  }
  let remaining = 2 + codes.length;
  let propsLength = 0;
  if (version === 5) {
    propsLength = propertiesLength(p.properties, K_SUBACK, 'properties');
    remaining += vbiLength(propsLength) + propsLength;
  }
  const w = startPacket(0x90, remaining, maximumPacketSize, 'reasonCodes');
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, propsLength);
  for (let i = 0; i < codes.length; i++) w.u8(codes[i]);
  return w.buf;
}

/** Decodes a SUBACK body. */
export function decodeSuback(r: ByteReader): SubackPacket {
  const packetId = r.packetId();
  const v5 = r.version === 5;
  const properties = v5 ? (readProperties(r, K_SUBACK) as AckProperties | undefined) : undefined;
  if (r.remaining === 0) r.fail('DECODE_TRUNCATED', 'SUBACK must contain at least one reason code');
  const reasonCodes: number[] = [];
  while (r.remaining > 0) {
    if (v5) {
      reasonCodes.push(readReasonCode(r, 'suback'));
    } else {
      const at = r.pos;
      const c = r.u8('return code');
      if (!isV4Code(c)) r.fail('DECODE_INVALID_REASON_CODE', `SUBACK return code 0x${c.toString(16)} is reserved`, { specRef: 'MQTT-3.9.3-2' }, at);
      reasonCodes.push(c);
    }
  }
  return { type: 'suback', packetId, reasonCodes, properties };
}
