import type { ByteReader } from '../byte-reader.js';
import { startPacket, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_DISCONNECT } from '../property-table.js';
import type { DisconnectProperties } from '../properties.js';
import { checkReasonCode, readReasonCode } from '../reason-codes.js';

/** DISCONNECT (type 14). In MQTT 5.0 either side may send it. */
export interface DisconnectPacket {
  /** The packet's kind: DISCONNECT. */
  readonly type: 'disconnect';
  /** MQTT 5.0 only; decoders set 0 when omitted. */
  readonly reasonCode?: number;
  /** MQTT 5.0 only: session expiry, reason string, user properties, server reference. */
  readonly properties?: DisconnectProperties;
}

/**
 * Encodes a DISCONNECT: 3.1.1 always `E0 00`; 5.0 leaves out the reason code when it is 0 and there
 * are no properties, and the property length when there are none (section 3.14.2.1).
 */
export function encodeDisconnect(p: DisconnectPacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  if (version === 4) return startPacket(0xe0, 0, maximumPacketSize, 'packet').buf;
  const reasonCode = p.reasonCode === undefined ? 0 : checkReasonCode('disconnect', p.reasonCode);
  const propsLength = propertiesLength(p.properties, K_DISCONNECT, 'properties');
  const remaining = propsLength > 0 ? 1 + vbiLength(propsLength) + propsLength : reasonCode !== 0 ? 1 : 0;
  const w = startPacket(0xe0, remaining, maximumPacketSize, 'properties');
  if (remaining > 0) w.u8(reasonCode);
  if (propsLength > 0) writeProperties(w, p.properties, propsLength);
  return w.buf;
}

/** Decodes a DISCONNECT body. */
export function decodeDisconnect(r: ByteReader): DisconnectPacket {
  if (r.version === 4) return { type: 'disconnect', reasonCode: undefined, properties: undefined };
  const reasonCode = r.remaining > 0 ? readReasonCode(r, 'disconnect') : 0;
  const properties = r.remaining > 0 ? (readProperties(r, K_DISCONNECT) as DisconnectProperties | undefined) : undefined;
  return { type: 'disconnect', reasonCode, properties };
}
