import type { AckProperties } from '../properties.js';

/** UNSUBACK (type 11). */
export interface UnsubackPacket {
  readonly type: 'unsuback';
  readonly packetId: number;
  /** MQTT 5.0 only: one reason code per topic filter. Absent in 3.1.1. */
  readonly reasonCodes?: readonly number[];
  readonly properties?: AckProperties;
}
