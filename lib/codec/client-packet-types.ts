/**
 * The client's packet table: for each type, the decoder of what a server sends and the encoder of
 * what a client sends (CLIENT_ENCODERS indexes the encoders by name). The client's channel
 * dispatches through it instead of the full table (packet-types.ts), so that a client bundle carries
 * no CONNECT, SUBSCRIBE or UNSUBSCRIBE decoder and no CONNACK, SUBACK, UNSUBACK or PINGRESP encoder.
 *
 * A packet a server must never send (CONNECT, SUBSCRIBE, UNSUBSCRIBE) is still framed and
 * its fixed header checked; its body is skipped and it is handed on as `{ type }` only, which the
 * session refuses with a ProtocolError ("unexpected SUBSCRIBE from the server").
 */
import type { ByteReader } from './byte-reader.js';
import type { Packet, PacketType } from './packet.js';
import { byName, type PacketCodeTable, type PacketDecoderFn, type PacketEncoder, type PacketNameTable, type PacketTypeEntry } from './packet-types.js';
import { decodePuback, decodePubcomp, decodePubrec, decodePubrel, encodePubAck } from './packets/acks.js';
import { decodeAuth, encodeAuth } from './packets/auth.js';
import { decodeConnack } from './packets/connack.js';
import { encodeConnect } from './packets/connect.js';
import { decodeDisconnect, encodeDisconnect } from './packets/disconnect.js';
import { decodePingreq, decodePingresp, encodePingreq } from './packets/ping.js';
import { decodePublish, encodePublish } from './packets/publish.js';
import { decodeSuback } from './packets/suback.js';
import { encodeSubscribe } from './packets/subscribe.js';
import { decodeUnsuback } from './packets/unsuback.js';
import { encodeUnsubscribe } from './packets/unsubscribe.js';

/** The body of a packet only a client sends, received from a server: skipped, the type kept. */
const skipBody =
  (type: Packet['type']) =>
  (r: ByteReader): Packet => {
    r.pos = r.end;
    return { type } as Packet;
  };

/** Stands for the encoder of a packet only a server sends; such rows are left out of {@link CLIENT_ENCODERS}. */
const notSent: PacketEncoder = () => {
  throw new TypeError('not a packet a client sends');
};

const TYPES = 'connect connack publish puback pubrec pubrel pubcomp subscribe suback unsubscribe unsuback pingreq pingresp disconnect auth'.split(' ') as PacketType[];
/** The fixed-header flags of each type, as in packet-types.ts [MQTT-2.2.2-1]; -1: PUBLISH carries fields there. */
const FLAGS = [0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/** Rows for codes 1 to 15 from their encoder and decoder; AUTH (15) is MQTT 5 only. */
const table = (codecs: readonly (readonly [PacketEncoder, PacketDecoderFn])[]): PacketCodeTable => [
  undefined,
  ...codecs.map(([encode, decode], i): PacketTypeEntry => ({ code: i + 1, type: TYPES[i], flags: FLAGS[i], v5Only: i === 14, encode, decode })),
];

/** The client's table, indexed by type code: the decoders of what a server sends (and the encoders of what a client sends). */
export const CLIENT_DECODERS: PacketCodeTable = /* @__PURE__ */ table([
  [encodeConnect, skipBody('connect')],
  [notSent, decodeConnack],
  [encodePublish, decodePublish],
  [encodePubAck, decodePuback],
  [encodePubAck, decodePubrec],
  [encodePubAck, decodePubrel],
  [encodePubAck, decodePubcomp],
  [encodeSubscribe, skipBody('subscribe')],
  [notSent, decodeSuback],
  [encodeUnsubscribe, skipBody('unsubscribe')],
  [notSent, decodeUnsuback],
  [encodePingreq, decodePingreq],
  [notSent, decodePingresp],
  [encodeDisconnect, decodeDisconnect],
  [encodeAuth, decodeAuth],
]);

/** The encoders of what a client sends, by the packet object's `type` (no row for CONNACK, SUBACK, UNSUBACK, PINGRESP). */
export const CLIENT_ENCODERS: PacketNameTable = /* @__PURE__ */ byName(CLIENT_DECODERS.filter((e) => e?.encode !== notSent));
