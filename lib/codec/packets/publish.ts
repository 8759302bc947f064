import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { checkPacketId, show, startPacket, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion, QoS } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_PUBLISH } from '../property-table.js';
import type { PublishProperties } from '../properties.js';
import { utf8Length, UTF8_NULL, writeUtf8 } from '../utf8.js';

/** PUBLISH (type 3): an application message, in either direction. */
export interface PublishPacket {
  /** The packet's kind: PUBLISH. */
  readonly type: 'publish';
  /** May be empty only in MQTT 5.0 when a topic alias is given. Never contains wildcards. */
  readonly topic: string;
  /** The application message, as bytes (a view into the received chunk when decoded). */
  readonly payload: Uint8Array;
  /** 0 at most once, 1 at least once (PUBACK), 2 exactly once (PUBREC, PUBREL, PUBCOMP). */
  readonly qos: QoS;
  /** Whether the server keeps the message as the topic's retained message (inbound: it was retained). */
  readonly retain: boolean;
  /** Set on a QoS 1 or 2 PUBLISH sent again (possible re-delivery); always false at QoS 0. */
  readonly dup: boolean;
  /** Present (1 to 65535) exactly when qos > 0. The encoder ignores it for QoS 0. */
  readonly packetId?: number;
  /** MQTT 5.0 only (ignored when encoding 3.1.1). */
  readonly properties?: PublishProperties;
}

function topicError(message: string, specRef?: string): never {
  throw new EncodeError('ENCODE_INVALID_TOPIC', message, 'topic', { specRef });
}

/** Encodes a PUBLISH (see {@link encode}). */
export function encodePublish(p: PublishPacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  const qos = p.qos;
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    throw new EncodeError('ENCODE_INVALID_QOS', `must be 0, 1 or 2, got ${show(qos)}`, 'qos', { specRef: 'MQTT-3.3.1-4' });
  }
  const topic = p.topic;
  if (typeof topic !== 'string') topicError('must be a string');
  const topicLength = utf8Length(topic);
  if (topicLength < 0) {
    if (topicLength === UTF8_NULL) topicError('must not contain U+0000', 'MQTT-1.5.4-2');
    topicError('must not contain a lone surrogate', 'MQTT-1.5.4-1');
  }
  if (topicLength > 65535) topicError(`is ${topicLength} bytes in UTF-8, more than 65535`);
  if (topic.indexOf('+') !== -1 || topic.indexOf('#') !== -1) {
    topicError('must not contain the wildcard characters + or #', 'MQTT-3.3.2-2');
  }
  const payload = p.payload;
  if (!(payload instanceof Uint8Array)) throw new EncodeError('ENCODE_INVALID_FIELD', 'must be a Uint8Array', 'payload');
  if (p.dup === true && qos === 0) {
    throw new EncodeError('ENCODE_INVALID_FIELD', 'DUP must be false for QoS 0', 'dup', { specRef: 'MQTT-3.3.1-2' });
  }
  let remaining = 2 + topicLength + payload.length;
  if (qos > 0) {
    checkPacketId(p.packetId);
    remaining += 2;
  }
  let propsLength = 0;
  if (version === 5) {
    propsLength = propertiesLength(p.properties, K_PUBLISH, 'properties');
    remaining += vbiLength(propsLength) + propsLength;
    if (topicLength === 0 && p.properties?.topicAlias === undefined) {
      topicError('must not be empty unless a topic alias is given');
    }
  } else if (topicLength === 0) {
    topicError('must be at least one character long', 'MQTT-4.7.3-1');
  }
  const first = 0x30 | (p.dup ? 8 : 0) | (qos << 1) | (p.retain ? 1 : 0);
  const w = startPacket(first, remaining, maximumPacketSize, 'payload');
  const buf = w.buf;
  let pos = w.pos;
  buf[pos] = topicLength >>> 8;
  buf[pos + 1] = topicLength & 0xff;
  pos = writeUtf8(buf, pos + 2, topic, topicLength);
  if (qos > 0) {
    const id = p.packetId as number;
    buf[pos] = id >>> 8;
    buf[pos + 1] = id & 0xff;
    pos += 2;
  }
  w.pos = pos;
  if (version === 5) writeProperties(w, p.properties, propsLength);
  buf.set(payload, w.pos);
  return buf;
}

/**
 * Decodes a PUBLISH body. The fixed-header flags (QoS 3, DUP on QoS 0) were checked by the decoder
 * when it read the fixed header.
 */
export function decodePublish(r: ByteReader, flags: number): PublishPacket {
  const qos = ((flags >> 1) & 3) as QoS;
  const topicAt = r.pos;
  let topic = recentTopic(r.buf, topicAt, r.end);
  if (topic !== undefined) {
    r.pos = topicAt + 2 + topic.length; // a cached topic is ASCII: one byte per character
  } else {
    topic = r.utf8('topic');
    if (topic.indexOf('+') !== -1 || topic.indexOf('#') !== -1) {
      r.fail('DECODE_INVALID_TOPIC', 'the topic name of a PUBLISH must not contain wildcards', { specRef: 'MQTT-3.3.2-2', reasonCode: 0x90 }, topicAt);
    }
    remember(r.buf, topicAt + 2, topic);
  }
  const packetId = qos > 0 ? r.packetId() : undefined;
  const properties = r.version === 5 ? (readProperties(r, K_PUBLISH) as PublishProperties | undefined) : undefined;
  if (topic.length === 0 && properties?.topicAlias === undefined) {
    r.fail('DECODE_INVALID_TOPIC', r.version === 5 ? 'empty topic name without a topic alias' : 'empty topic name', {
      specRef: r.ref('MQTT-4.7.3-1', undefined),
      reasonCode: 0x82,
    }, topicAt);
  }
  return {
    type: 'publish',
    topic,
    payload: r.rest(),
    qos,
    retain: (flags & 1) === 1,
    dup: (flags & 8) !== 0,
    packetId,
    properties,
  };
}

/*
 * Recently decoded topic names, so that a stream of messages on the same few topics does not build
 * the same string again for each (the allocation is most of a small PUBLISH's decoding). Only
 * non-empty ASCII topics up to TOPIC_CACHE_MAX_BYTES that passed every check are kept: equal bytes
 * then mean an equal, valid topic. Direct-mapped by a hash of length and end bytes; a miss costs one
 * comparison.
 */
const TOPIC_CACHE_SLOTS = 32;
const TOPIC_CACHE_MAX_BYTES = 64;
const topicBytes = new Uint8Array(TOPIC_CACHE_SLOTS * TOPIC_CACHE_MAX_BYTES);
const topicLengths = new Uint8Array(TOPIC_CACHE_SLOTS);
const topicNames: string[] = new Array<string>(TOPIC_CACHE_SLOTS).fill('');

function topicSlot(length: number, first: number, last: number): number {
  return (length * 7 + first * 3 + last) & (TOPIC_CACHE_SLOTS - 1);
}

/** The cached topic whose length-prefixed bytes start at `at` (before `end`), or undefined. */
function recentTopic(buf: Uint8Array, at: number, end: number): string | undefined {
  if (end - at < 3) return undefined;
  const length = (buf[at] << 8) | buf[at + 1];
  if (length === 0 || length > TOPIC_CACHE_MAX_BYTES || at + 2 + length > end) return undefined;
  const start = at + 2;
  const slot = topicSlot(length, buf[start], buf[start + length - 1]);
  if (topicLengths[slot] !== length) return undefined;
  // From the end: topics of one application tend to share their first levels.
  const base = slot * TOPIC_CACHE_MAX_BYTES;
  for (let i = length - 1; i >= 0; i--) if (topicBytes[base + i] !== buf[start + i]) return undefined;
  return topicNames[slot];
}

/** Keeps a topic that was just decoded and checked from `buf[start..]`, when it is short ASCII. */
function remember(buf: Uint8Array, start: number, topic: string): void {
  const length = topic.length;
  if (length === 0 || length > TOPIC_CACHE_MAX_BYTES) return;
  for (let i = 0; i < length; i++) if (buf[start + i] >= 0x80) return; // not ASCII: bytes and characters differ
  const slot = topicSlot(length, buf[start], buf[start + length - 1]);
  topicBytes.set(buf.subarray(start, start + length), slot * TOPIC_CACHE_MAX_BYTES);
  topicLengths[slot] = length;
  topicNames[slot] = topic;
}

