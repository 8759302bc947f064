import type { ConnectProperties, WillProperties } from '../properties.js';
import type { QoS } from '../packet.js';

/** The will message carried by CONNECT. */
export interface Will {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  /** MQTT 5.0 only. */
  readonly properties?: WillProperties;
}

/** CONNECT (type 1): the first packet a client sends. */
export interface ConnectPacket {
  readonly type: 'connect';
  /** 4 = MQTT 3.1.1 (protocol name "MQTT", level 4), 5 = MQTT 5.0 (level 5). */
  readonly protocolVersion: 4 | 5;
  /** May be empty, in which case the server assigns one (MQTT 5) or requires cleanStart (3.1.1). */
  readonly clientId: string;
  /** "Clean Session" in 3.1.1, "Clean Start" in 5.0. */
  readonly cleanStart: boolean;
  /** Seconds, 0 to 65535; 0 turns keepalive off. */
  readonly keepAlive: number;
  readonly username?: string;
  readonly password?: Uint8Array;
  readonly will?: Will;
  /** MQTT 5.0 only. */
  readonly properties?: ConnectProperties;
}
