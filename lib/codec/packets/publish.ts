import type { PublishProperties } from '../properties.js';
import type { QoS } from '../packet.js';

/** PUBLISH (type 3): an application message, in either direction. */
export interface PublishPacket {
  readonly type: 'publish';
  /** May be empty only in MQTT 5.0 when a topic alias is given. Never contains wildcards. */
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  /** Present (1 to 65535) exactly when qos > 0. */
  readonly packetId?: number;
  /** MQTT 5.0 only. */
  readonly properties?: PublishProperties;
}
