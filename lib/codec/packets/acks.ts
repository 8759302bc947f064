import type { ByteReader } from '../byte-reader.js';
import { checkPacketId, startPacket, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_PUBACK, K_PUBCOMP, K_PUBREC, K_PUBREL } from '../property-table.js';
import type { AckProperties } from '../properties.js';
import { checkReasonCode, readReasonCode } from '../reason-codes.js';

/** PUBACK (type 4): acknowledges a QoS 1 PUBLISH. */
export interface PubackPacket {
  /** The packet's kind: PUBACK. */
  readonly type: 'puback';
  /** The packet identifier of the QoS 1 PUBLISH it acknowledges (1 to 65535). */
  readonly packetId: number;
  /** MQTT 5.0 only; decoders set 0 when omitted. */
  readonly reasonCode?: number;
  /** MQTT 5.0 only: reason string and user properties. */
  readonly properties?: AckProperties;
}

/** PUBREC (type 5): first acknowledgement of a QoS 2 PUBLISH. */
export interface PubrecPacket {
  /** The packet's kind: PUBREC. */
  readonly type: 'pubrec';
  /** The packet identifier of the QoS 2 PUBLISH it acknowledges (1 to 65535). */
  readonly packetId: number;
  /** MQTT 5.0 only; decoders set 0 when omitted (>= 0x80: the publish failed and the flow ends). */
  readonly reasonCode?: number;
  /** MQTT 5.0 only: reason string and user properties. */
  readonly properties?: AckProperties;
}

/** PUBREL (type 6): releases a QoS 2 message (fixed header flags 0b0010). */
export interface PubrelPacket {
  /** The packet's kind: PUBREL. */
  readonly type: 'pubrel';
  /** The packet identifier of the QoS 2 message it releases (1 to 65535). */
  readonly packetId: number;
  /** MQTT 5.0 only; decoders set 0 when omitted (0x92: packet identifier not found). */
  readonly reasonCode?: number;
  /** MQTT 5.0 only: reason string and user properties. */
  readonly properties?: AckProperties;
}

/** PUBCOMP (type 7): completes a QoS 2 flow. */
export interface PubcompPacket {
  /** The packet's kind: PUBCOMP. */
  readonly type: 'pubcomp';
  /** The packet identifier of the QoS 2 flow it completes (1 to 65535). */
  readonly packetId: number;
  /** MQTT 5.0 only; decoders set 0 when omitted (0x92: packet identifier not found). */
  readonly reasonCode?: number;
  /** MQTT 5.0 only: reason string and user properties. */
  readonly properties?: AckProperties;
}

type PubAck = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;

const FIRST_BYTE = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const;
const KIND = { puback: K_PUBACK, pubrec: K_PUBREC, pubrel: K_PUBREL, pubcomp: K_PUBCOMP } as const;

/**
 * Encodes PUBACK, PUBREC, PUBREL or PUBCOMP. In 5.0 the reason code and the property length are left
 * out when the reason code is 0 and there are no properties (section 3.4.2.1).
 */
export function encodePubAck(p: PubAck, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  const packetId = checkPacketId(p.packetId);
  if (version === 4) {
    const w = startPacket(FIRST_BYTE[p.type], 2, maximumPacketSize, 'packet');
    w.u16(packetId);
    return w.buf;
  }
  const reasonCode = p.reasonCode === undefined ? 0 : checkReasonCode(p.type, p.reasonCode);
  const propsLength = propertiesLength(p.properties, KIND[p.type], 'properties');
  const remaining = propsLength > 0 ? 3 + vbiLength(propsLength) + propsLength : reasonCode !== 0 ? 3 : 2;
  const w = startPacket(FIRST_BYTE[p.type], remaining, maximumPacketSize, 'properties');
  w.u16(packetId);
  if (remaining > 2) w.u8(reasonCode);
  if (propsLength > 0) writeProperties(w, p.properties, propsLength);
  return w.buf;
}

function decodePubAck<T extends PubAck['type']>(type: T, r: ByteReader): Extract<PubAck, { type: T }> {
  const packetId = r.packetId();
  let reasonCode: number | undefined;
  let properties: AckProperties | undefined;
  if (r.version === 5) {
    reasonCode = r.remaining > 0 ? readReasonCode(r, type) : 0;
    if (r.remaining > 0) properties = readProperties(r, KIND[type]) as AckProperties | undefined;
  }
  return { type, packetId, reasonCode, properties } as Extract<PubAck, { type: T }>;
}

/** Decodes a PUBACK body. */
export const decodePuback = (r: ByteReader): PubackPacket => decodePubAck('puback', r);
/** Decodes a PUBREC body. */
export const decodePubrec = (r: ByteReader): PubrecPacket => decodePubAck('pubrec', r);
/** Decodes a PUBREL body. */
export const decodePubrel = (r: ByteReader): PubrelPacket => decodePubAck('pubrel', r);
/** Decodes a PUBCOMP body. */
export const decodePubcomp = (r: ByteReader): PubcompPacket => decodePubAck('pubcomp', r);
