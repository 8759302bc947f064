/**
 * Converts an rxmqtt packet object into the equivalent mqtt-packet object, so that a benchmark can
 * feed the same packets to both codecs. Binary fields become Buffers (mqtt-packet's native type),
 * user property lists become mqtt-packet's `{ name: value | value[] }` objects.
 *
 * @example
 * ```ts
 * import * as mqttPacket from 'mqtt-packet';
 * const theirs = mqttPacket.generate(toMqttPacket(packet) as never, { protocolVersion: 5 });
 * ```
 */
import type { Packet } from '../../lib/codec/packet.js';

type Loose = Record<string, unknown>;

const buf = (b: Uint8Array | undefined): Buffer | undefined => (b === undefined ? undefined : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Maps properties: binary values to Buffers, userProperties to an object, the rest unchanged. */
function props(p: object | undefined): Loose | undefined {
  if (p === undefined) return undefined;
  const out: Loose = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === 'userProperties') {
      const up: Record<string, string | string[]> = {};
      for (const [name, value] of v as [string, string][]) {
        const prior = up[name];
        up[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
      }
      out[k] = up;
    } else if (k === 'subscriptionIdentifiers') {
      out.subscriptionIdentifier = (v as number[]).length === 1 ? (v as number[])[0] : v;
    } else if (k === 'payloadFormatIndicator') {
      out[k] = v === 1;
    } else {
      out[k] = v instanceof Uint8Array ? buf(v) : v;
    }
  }
  return out;
}

/** Returns the mqtt-packet form of `p` (typed loosely: mqtt-packet's own types are looser still). */
export function toMqttPacket(p: Packet): Loose {
  switch (p.type) {
    case 'connect':
      return {
        cmd: 'connect', protocolId: 'MQTT', protocolVersion: p.protocolVersion, clientId: p.clientId, clean: p.cleanStart,
        keepalive: p.keepAlive, username: p.username, password: buf(p.password), properties: props(p.properties),
        will: p.will && { topic: p.will.topic, payload: buf(p.will.payload), qos: p.will.qos, retain: p.will.retain, properties: props(p.will.properties) },
      };
    case 'connack':
      return { cmd: 'connack', sessionPresent: p.sessionPresent, returnCode: p.reasonCode, reasonCode: p.reasonCode, properties: props(p.properties) };
    case 'publish':
      return { cmd: 'publish', topic: p.topic, payload: buf(p.payload), qos: p.qos, retain: p.retain, dup: p.dup, messageId: p.packetId, properties: props(p.properties) };
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      return { cmd: p.type, messageId: p.packetId, reasonCode: p.reasonCode, properties: props(p.properties) };
    case 'subscribe':
      return {
        cmd: 'subscribe', messageId: p.packetId, properties: props(p.properties),
        subscriptions: p.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos, nl: s.noLocal, rap: s.retainAsPublished, rh: s.retainHandling })),
      };
    case 'suback':
      return { cmd: 'suback', messageId: p.packetId, granted: [...p.reasonCodes], properties: props(p.properties) };
    case 'unsubscribe':
      return { cmd: 'unsubscribe', messageId: p.packetId, unsubscriptions: [...p.topicFilters], properties: props(p.properties) };
    case 'unsuback':
      return { cmd: 'unsuback', messageId: p.packetId, granted: p.reasonCodes && [...p.reasonCodes], properties: props(p.properties) };
    case 'pingreq': case 'pingresp':
      return { cmd: p.type };
    case 'disconnect': case 'auth':
      return { cmd: p.type, reasonCode: p.reasonCode, properties: props(p.properties) };
  }
}
