import type { AckProperties } from '../properties.js';

/** SUBACK (type 9). */
export interface SubackPacket {
  readonly type: 'suback';
  readonly packetId: number;
  /** One per requested subscription: the granted QoS (0, 1, 2) or a failure code (>= 0x80). */
  readonly reasonCodes: readonly number[];
  readonly properties?: AckProperties;
}
