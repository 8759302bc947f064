import type { ConnackProperties } from '../properties.js';

/** CONNACK (type 2): the server's answer to CONNECT. */
export interface ConnackPacket {
  readonly type: 'connack';
  readonly sessionPresent: boolean;
  /** 3.1.1: the connect return code (0 accepted, 1 to 5 refused). 5.0: the reason code (>= 0x80 refused). */
  readonly reasonCode: number;
  /** MQTT 5.0 only. */
  readonly properties?: ConnackProperties;
}
