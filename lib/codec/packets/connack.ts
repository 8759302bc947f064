import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { checkInt, startPacket, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_CONNACK } from '../property-table.js';
import type { ConnackProperties } from '../properties.js';
import { checkReasonCode, readReasonCode } from '../reason-codes.js';

/** CONNACK (type 2): the server's answer to CONNECT. */
export interface ConnackPacket {
  /** The packet's kind: CONNACK. */
  readonly type: 'connack';
  /** True when the server resumed a stored session for this client (always false when refused). */
  readonly sessionPresent: boolean;
  /** 3.1.1: the connect return code (0 accepted, 1 to 5 refused). 5.0: the reason code (>= 0x80 refused). */
  readonly reasonCode: number;
  /** MQTT 5.0 only. */
  readonly properties?: ConnackProperties;
}

/** Encodes a CONNACK. */
export function encodeConnack(p: ConnackPacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  const reasonCode = version === 5 ? checkReasonCode('connack', p.reasonCode) : checkInt(p.reasonCode, 0, 5, 'reasonCode');
  if (p.sessionPresent && reasonCode !== 0) {
    throw new EncodeError('ENCODE_INVALID_FIELD', 'must be false when the connection is refused', 'sessionPresent', {
      specRef: version === 5 ? 'MQTT-3.2.2-6' : 'MQTT-3.2.2-4',
    });
  }
  let remaining = 2;
  let propsLength = 0;
  if (version === 5) {
    propsLength = propertiesLength(p.properties, K_CONNACK, 'properties');
    remaining += vbiLength(propsLength) + propsLength;
  }
  const w = startPacket(0x20, remaining, maximumPacketSize, 'properties');
  w.u8(p.sessionPresent ? 1 : 0);
  w.u8(reasonCode);
  if (version === 5) writeProperties(w, p.properties, propsLength);
  return w.buf;
}

/** Decodes a CONNACK body. */
export function decodeConnack(r: ByteReader): ConnackPacket {
  const flagsAt = r.pos;
  const flags = r.u8('connect acknowledge flags');
  if ((flags & 0xfe) !== 0) r.fail('DECODE_RESERVED_FLAG', 'CONNACK flag bits 7-1 are reserved and must be 0', {}, flagsAt);
  const codeAt = r.pos;
  let reasonCode: number;
  if (r.version === 5) {
    reasonCode = readReasonCode(r, 'connack');
  } else {
    reasonCode = r.u8('connect return code');
    if (reasonCode > 5) r.fail('DECODE_INVALID_REASON_CODE', `connect return code ${reasonCode} is reserved`, {}, codeAt);
  }
  const sessionPresent = flags === 1;
  if (sessionPresent && reasonCode !== 0) {
    r.fail('DECODE_INVALID_SESSION_PRESENT', 'session present must be 0 when the connection is refused', {
      specRef: r.ref('MQTT-3.2.2-4', 'MQTT-3.2.2-6'),
      reasonCode: 0x82,
    }, flagsAt);
  }
  const properties = r.version === 5 ? (readProperties(r, K_CONNACK) as ConnackProperties | undefined) : undefined;
  return { type: 'connack', sessionPresent, reasonCode, properties };
}
