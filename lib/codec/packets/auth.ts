import type { AuthProperties } from '../properties.js';

/** AUTH (type 15, MQTT 5.0 only): extended authentication exchange. */
export interface AuthPacket {
  readonly type: 'auth';
  /** 0x00 success, 0x18 continue authentication, 0x19 re-authenticate; decoders set 0 when omitted. */
  readonly reasonCode?: number;
  readonly properties?: AuthProperties;
}
