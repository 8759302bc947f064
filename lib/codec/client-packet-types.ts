/**
 * The client's packet tables, one per direction: decoders of what a server sends, encoders of what a
 * client sends. The client's channel dispatches through these instead of the full table
 * (packet-types.ts), so that a client bundle carries no CONNECT, SUBSCRIBE or UNSUBSCRIBE decoder
 * and no CONNACK, SUBACK, UNSUBACK or PINGRESP encoder.
 *
 * A packet a server must never send (CONNECT, SUBSCRIBE, UNSUBSCRIBE) is still framed and
 * its fixed header checked; its body is skipped and it is handed on as `{ type }` only, which the
 * session refuses with a ProtocolError ("unexpected SUBSCRIBE from the server").
 */
import type { ByteReader } from './byte-reader.js';
import type { Packet } from './packet.js';
import { byName, entry, type PacketCodeTable, type PacketEncoder, type PacketNameTable } from './packet-types.js';
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

/** Never called: the client does not send this type (encode() of the session never asks for it). */
const notSent: PacketEncoder = () => {
  throw new TypeError('not a packet a client sends');
};

/** Decoders of what a server sends, indexed by type code. */
export const CLIENT_DECODERS: PacketCodeTable = [
  undefined,
  /* @__PURE__ */ entry(1, 'connect', 0, notSent, skipBody('connect')),
  /* @__PURE__ */ entry(2, 'connack', 0, notSent, decodeConnack),
  /* @__PURE__ */ entry(3, 'publish', -1, notSent, decodePublish),
  /* @__PURE__ */ entry(4, 'puback', 0, notSent, decodePuback),
  /* @__PURE__ */ entry(5, 'pubrec', 0, notSent, decodePubrec),
  /* @__PURE__ */ entry(6, 'pubrel', 2, notSent, decodePubrel),
  /* @__PURE__ */ entry(7, 'pubcomp', 0, notSent, decodePubcomp),
  /* @__PURE__ */ entry(8, 'subscribe', 2, notSent, skipBody('subscribe')),
  /* @__PURE__ */ entry(9, 'suback', 0, notSent, decodeSuback),
  /* @__PURE__ */ entry(10, 'unsubscribe', 2, notSent, skipBody('unsubscribe')),
  /* @__PURE__ */ entry(11, 'unsuback', 0, notSent, decodeUnsuback),
  /* @__PURE__ */ entry(12, 'pingreq', 0, notSent, decodePingreq),
  /* @__PURE__ */ entry(13, 'pingresp', 0, notSent, decodePingresp),
  /* @__PURE__ */ entry(14, 'disconnect', 0, notSent, decodeDisconnect),
  /* @__PURE__ */ entry(15, 'auth', 0, notSent, decodeAuth, true),
];

const never = (): Packet => {
  throw new TypeError('not a packet a client receives');
};

/** Encoders of what a client sends, by the packet object's `type`. */
export const CLIENT_ENCODERS: PacketNameTable = /* @__PURE__ */ byName([
  /* @__PURE__ */ entry(1, 'connect', 0, encodeConnect, never),
  /* @__PURE__ */ entry(3, 'publish', -1, encodePublish, never),
  /* @__PURE__ */ entry(4, 'puback', 0, encodePubAck, never),
  /* @__PURE__ */ entry(5, 'pubrec', 0, encodePubAck, never),
  /* @__PURE__ */ entry(6, 'pubrel', 2, encodePubAck, never),
  /* @__PURE__ */ entry(7, 'pubcomp', 0, encodePubAck, never),
  /* @__PURE__ */ entry(8, 'subscribe', 2, encodeSubscribe, never),
  /* @__PURE__ */ entry(10, 'unsubscribe', 2, encodeUnsubscribe, never),
  /* @__PURE__ */ entry(12, 'pingreq', 0, encodePingreq, never),
  /* @__PURE__ */ entry(14, 'disconnect', 0, encodeDisconnect, never),
  /* @__PURE__ */ entry(15, 'auth', 0, encodeAuth, never, true),
]);
