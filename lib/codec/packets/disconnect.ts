import type { DisconnectProperties } from '../properties.js';

/** DISCONNECT (type 14). In MQTT 5.0 either side may send it. */
export interface DisconnectPacket {
  readonly type: 'disconnect';
  /** MQTT 5.0 only; decoders set 0 when omitted. */
  readonly reasonCode?: number;
  readonly properties?: DisconnectProperties;
}
