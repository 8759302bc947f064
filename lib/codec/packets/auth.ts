import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { startPacket, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_AUTH } from '../property-table.js';
import type { AuthProperties } from '../properties.js';
import { checkReasonCode, readReasonCode } from '../reason-codes.js';

/** AUTH (type 15, MQTT 5.0 only): extended authentication exchange. */
export interface AuthPacket {
  /** The packet's kind: AUTH. */
  readonly type: 'auth';
  /** 0x00 success, 0x18 continue authentication, 0x19 re-authenticate; decoders set 0 when omitted. */
  readonly reasonCode?: number;
  /** Authentication method and data, reason string, user properties. */
  readonly properties?: AuthProperties;
}

/** Encodes an AUTH (MQTT 5.0 only); the short form `F0 00` when the reason code is 0 and there are no properties. */
export function encodeAuth(p: AuthPacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  if (version !== 5) throw new EncodeError('ENCODE_UNSUPPORTED_PACKET', 'AUTH exists only in MQTT 5.0', 'type');
  const reasonCode = p.reasonCode === undefined ? 0 : checkReasonCode('auth', p.reasonCode);
  const propsLength = propertiesLength(p.properties, K_AUTH, 'properties');
  const remaining = propsLength > 0 || reasonCode !== 0 ? 1 + vbiLength(propsLength) + propsLength : 0;
  const w = startPacket(0xf0, remaining, maximumPacketSize, 'properties');
  if (remaining > 0) {
    w.u8(reasonCode);
    writeProperties(w, p.properties, propsLength);
  }
  return w.buf;
}

/** Decodes an AUTH body (the decoder refuses type 15 in 3.1.1 before calling this). */
export function decodeAuth(r: ByteReader): AuthPacket {
  const reasonCode = r.remaining > 0 ? readReasonCode(r, 'auth') : 0;
  const properties = r.remaining > 0 ? (readProperties(r, K_AUTH) as AuthProperties | undefined) : undefined;
  return { type: 'auth', reasonCode, properties };
}
