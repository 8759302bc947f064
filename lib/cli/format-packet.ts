import type { Packet } from '../codec/packet.js';
import { reasonCodeName } from '../codec/reason-codes.js';

/**
 * One line about an MQTT packet for the `-d` trace of `rxmqtt pub` and `rxmqtt sub`: its type, its
 * packet identifier and what matters in it (granted QoS, reason codes, topic and size). Passwords
 * and payloads are never shown.
 *
 * @example
 * ```ts
 * formatPacket({ type: 'suback', packetId: 1, reasonCodes: [1] }); // "SUBACK (packet 1): granted QoS 1"
 * ```
 */
export function formatPacket(packet: Packet): string {
  switch (packet.type) {
    case 'connect': {
      const version = packet.protocolVersion === 5 ? '5' : '3.1.1';
      return `CONNECT (client id '${packet.clientId}', MQTT ${version}, keep alive ${packet.keepAlive} s, ${packet.cleanStart ? 'clean' : 'resume session'})`;
    }
    case 'connack':
      return `CONNACK: ${packet.reasonCode === 0 ? 'accepted' : `refused, code 0x${hex(packet.reasonCode)}`}${packet.sessionPresent ? ', session present' : ''}`;
    case 'subscribe':
      return `SUBSCRIBE (packet ${packet.packetId}): ${packet.subscriptions.map((s) => `'${s.topicFilter}' QoS ${s.qos}`).join(', ')}`;
    case 'suback':
      return `SUBACK (packet ${packet.packetId}): ${packet.reasonCodes.map(describeGrant).join(', ')}`;
    case 'unsubscribe':
      return `UNSUBSCRIBE (packet ${packet.packetId}): ${packet.topicFilters.map((f) => `'${f}'`).join(', ')}`;
    case 'unsuback':
      return `UNSUBACK (packet ${packet.packetId})${packet.reasonCodes === undefined ? '' : `: ${packet.reasonCodes.map((c) => reasonCodeName(c, 'unsuback')).join(', ')}`}`;
    case 'publish': {
      const id = packet.qos === 0 ? '' : ` (packet ${packet.packetId})`;
      const flags = `${packet.retain ? ', retained' : ''}${packet.dup ? ', again (DUP)' : ''}`;
      return `PUBLISH${id} to '${packet.topic}', QoS ${packet.qos}, ${packet.payload.length} bytes${flags}`;
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      const code = packet.reasonCode;
      return `${packet.type.toUpperCase()} (packet ${packet.packetId})${code === undefined || code === 0 ? '' : `: ${reasonCodeName(code, packet.type)}`}`;
    }
    case 'disconnect':
      return `DISCONNECT${packet.reasonCode === undefined || packet.reasonCode === 0 ? '' : `: ${reasonCodeName(packet.reasonCode, 'disconnect')}`}`;
    default:
      return packet.type.toUpperCase();
  }
}

function describeGrant(code: number): string {
  return code < 0x80 ? `granted QoS ${code}` : `refused (${reasonCodeName(code, 'suback')}, 0x${hex(code)})`;
}

function hex(code: number): string {
  return code.toString(16).padStart(2, '0');
}
