import type { AckProperties } from '../properties.js';

/** PUBACK (type 4): acknowledges a QoS 1 PUBLISH. */
export interface PubackPacket {
  readonly type: 'puback';
  readonly packetId: number;
  /** MQTT 5.0 only; decoders set 0 when omitted. */
  readonly reasonCode?: number;
  readonly properties?: AckProperties;
}

/** PUBREC (type 5): first acknowledgement of a QoS 2 PUBLISH. */
export interface PubrecPacket {
  readonly type: 'pubrec';
  readonly packetId: number;
  readonly reasonCode?: number;
  readonly properties?: AckProperties;
}

/** PUBREL (type 6): releases a QoS 2 message (fixed header flags 0b0010). */
export interface PubrelPacket {
  readonly type: 'pubrel';
  readonly packetId: number;
  readonly reasonCode?: number;
  readonly properties?: AckProperties;
}

/** PUBCOMP (type 7): completes a QoS 2 flow. */
export interface PubcompPacket {
  readonly type: 'pubcomp';
  readonly packetId: number;
  readonly reasonCode?: number;
  readonly properties?: AckProperties;
}
