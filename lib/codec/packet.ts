/**
 * The packet model: every MQTT 3.1.1 and 5.0 control packet as a plain readonly object in one
 * discriminated union keyed by `type`.
 *
 * Conventions (both directions, both versions):
 * - `protocolVersion` 4 means MQTT 3.1.1, 5 means MQTT 5.0.
 * - Binary fields (payloads, passwords, correlation and authentication data) are `Uint8Array`.
 *   Decoded payloads are views (`subarray`) into the received bytes, not copies.
 * - `properties` exists only in MQTT 5.0; decoders leave it `undefined` when a packet carries none.
 * - In MQTT 5.0, `reasonCode` on PUBACK/PUBREC/PUBREL/PUBCOMP/DISCONNECT/AUTH is always set by the
 *   decoder (0 when the packet omitted it); in 3.1.1, which has no reason codes there, it is left
 *   undefined. Encoders treat `undefined` as 0 and use the short form.
 * - In MQTT 3.1.1 CONNACK `reasonCode` carries the connect return code (0 to 5), and SUBACK
 *   `reasonCodes` carries the granted QoS or 0x80.
 */
export type { ConnectPacket, Will } from './packets/connect.js';
export type { ConnackPacket } from './packets/connack.js';
export type { PublishPacket } from './packets/publish.js';
export type { PubackPacket, PubrecPacket, PubrelPacket, PubcompPacket } from './packets/acks.js';
export type { SubscribePacket, Subscription } from './packets/subscribe.js';
export type { SubackPacket } from './packets/suback.js';
export type { UnsubscribePacket } from './packets/unsubscribe.js';
export type { UnsubackPacket } from './packets/unsuback.js';
export type { PingreqPacket, PingrespPacket } from './packets/ping.js';
export type { DisconnectPacket } from './packets/disconnect.js';
export type { AuthPacket } from './packets/auth.js';

import type { ConnectPacket } from './packets/connect.js';
import type { ConnackPacket } from './packets/connack.js';
import type { PublishPacket } from './packets/publish.js';
import type { PubackPacket, PubrecPacket, PubrelPacket, PubcompPacket } from './packets/acks.js';
import type { SubscribePacket } from './packets/subscribe.js';
import type { SubackPacket } from './packets/suback.js';
import type { UnsubscribePacket } from './packets/unsubscribe.js';
import type { UnsubackPacket } from './packets/unsuback.js';
import type { PingreqPacket, PingrespPacket } from './packets/ping.js';
import type { DisconnectPacket } from './packets/disconnect.js';
import type { AuthPacket } from './packets/auth.js';

/** 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolVersion = 4 | 5;

/** Quality of service level. */
export type QoS = 0 | 1 | 2;

/** Any MQTT control packet. */
export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

/** The `type` discriminator of every packet. */
export type PacketType = Packet['type'];

/** The packet object whose `type` is T. */
export type PacketOfType<T extends PacketType> = Extract<
  Packet,
  {
    /** The packet type to pick. */
    type: T;
  }
>;
