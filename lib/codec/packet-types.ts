/**
 * The type-code table: for each MQTT control packet type, its name, the fixed-header flags it must
 * carry, its encoder and its decoder. The public encoder and decoder dispatch through this table
 * only; the client dispatches through its own (client-packet-types.ts), which leaves out the halves
 * a client never uses. Both tables are built without side effects (`@__PURE__`), so that a bundle
 * that does not use one drops it and every codec only it references.
 */
import type { ByteReader } from './byte-reader.js';
import type { Packet, PacketType, ProtocolVersion } from './packet.js';
import { decodePuback, decodePubcomp, decodePubrec, decodePubrel, encodePubAck } from './packets/acks.js';
import { decodeAuth, encodeAuth } from './packets/auth.js';
import { decodeConnack, encodeConnack } from './packets/connack.js';
import { decodeConnect, encodeConnect } from './packets/connect.js';
import { decodeDisconnect, encodeDisconnect } from './packets/disconnect.js';
import { decodePingreq, decodePingresp, encodePingreq, encodePingresp } from './packets/ping.js';
import { decodePublish, encodePublish } from './packets/publish.js';
import { decodeSuback, encodeSuback } from './packets/suback.js';
import { decodeSubscribe, encodeSubscribe } from './packets/subscribe.js';
import { decodeUnsuback, encodeUnsuback } from './packets/unsuback.js';
import { decodeUnsubscribe, encodeUnsubscribe } from './packets/unsubscribe.js';

/** Encodes one packet object of a type. */
export type PacketEncoder = (packet: never, version: ProtocolVersion, maximumPacketSize: number | undefined) => Uint8Array;
/** Decodes the body of one packet; `expected` is only used by CONNECT. */
export type PacketDecoderFn = (r: ByteReader, flags: number, expected: ProtocolVersion | undefined) => Packet;

/** One row of the type-code table. */
export interface PacketTypeEntry {
  readonly code: number;
  readonly type: PacketType;
  /** The fixed-header flags required [MQTT-2.2.2-1], or -1 when they carry fields (PUBLISH). */
  readonly flags: number;
  /** Only defined in MQTT 5.0 (AUTH). */
  readonly v5Only: boolean;
  readonly encode: PacketEncoder;
  readonly decode: PacketDecoderFn;
}

/** Packet table rows indexed by control packet type code (0 and, in 3.1.1, 15 are reserved). */
export type PacketCodeTable = readonly (PacketTypeEntry | undefined)[];
/** Packet table rows by the packet object's `type`. */
export type PacketNameTable = ReadonlyMap<string, PacketTypeEntry>;

/** Indexes rows by the packet object's `type`. */
export const byName = (table: PacketCodeTable): PacketNameTable =>
  new Map(table.filter((e): e is PacketTypeEntry => e !== undefined).map((e) => [e.type, e]));

/** One row of the table. */
export const entry = (code: number, type: PacketType, flags: number, encode: PacketEncoder, decode: PacketDecoderFn, v5Only = false): PacketTypeEntry =>
  ({ code, type, flags, v5Only, encode, decode });

/** Indexed by control packet type code (0 and, in 3.1.1, 15 are reserved). */
export const PACKET_TYPES: PacketCodeTable = [
  undefined,
  /* @__PURE__ */ entry(1, 'connect', 0, encodeConnect, decodeConnect),
  /* @__PURE__ */ entry(2, 'connack', 0, encodeConnack, decodeConnack),
  /* @__PURE__ */ entry(3, 'publish', -1, encodePublish, decodePublish),
  /* @__PURE__ */ entry(4, 'puback', 0, encodePubAck, decodePuback),
  /* @__PURE__ */ entry(5, 'pubrec', 0, encodePubAck, decodePubrec),
  /* @__PURE__ */ entry(6, 'pubrel', 2, encodePubAck, decodePubrel),
  /* @__PURE__ */ entry(7, 'pubcomp', 0, encodePubAck, decodePubcomp),
  /* @__PURE__ */ entry(8, 'subscribe', 2, encodeSubscribe, decodeSubscribe),
  /* @__PURE__ */ entry(9, 'suback', 0, encodeSuback, decodeSuback),
  /* @__PURE__ */ entry(10, 'unsubscribe', 2, encodeUnsubscribe, decodeUnsubscribe),
  /* @__PURE__ */ entry(11, 'unsuback', 0, encodeUnsuback, decodeUnsuback),
  /* @__PURE__ */ entry(12, 'pingreq', 0, encodePingreq, decodePingreq),
  /* @__PURE__ */ entry(13, 'pingresp', 0, encodePingresp, decodePingresp),
  /* @__PURE__ */ entry(14, 'disconnect', 0, encodeDisconnect, decodeDisconnect),
  /* @__PURE__ */ entry(15, 'auth', 0, encodeAuth, decodeAuth, true),
];

/** Lookup by the packet object's `type`. */
export const PACKET_TYPE_BY_NAME: PacketNameTable = /* @__PURE__ */ byName(PACKET_TYPES);
