import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { checkPacketId, show, startPacket, stringLength, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion, QoS } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_SUBSCRIBE } from '../property-table.js';
import type { SubscribeProperties } from '../properties.js';
import { isSharedFilter, topicFilterProblem } from '../topic.js';

/** One topic filter of a SUBSCRIBE and its options. */
export interface Subscription {
  /** The topic filter, which may contain the wildcards `+` and `#` or be a `$share/group/...` filter. */
  readonly topicFilter: string;
  /** Maximum QoS. */
  readonly qos: QoS;
  /** MQTT 5.0 only (decoders set false). */
  readonly noLocal?: boolean;
  /** MQTT 5.0 only (decoders set false). */
  readonly retainAsPublished?: boolean;
  /** MQTT 5.0 only (decoders set 0): 0 send retained, 1 only for new subscriptions, 2 never. */
  readonly retainHandling?: 0 | 1 | 2;
}

/** SUBSCRIBE (type 8, fixed header flags 0b0010). */
export interface SubscribePacket {
  /** The packet's kind: SUBSCRIBE. */
  readonly type: 'subscribe';
  /** The packet identifier (1 to 65535) the SUBACK repeats. */
  readonly packetId: number;
  /** At least one. */
  readonly subscriptions: readonly Subscription[];
  /** MQTT 5.0 only: subscription identifier and user properties. */
  readonly properties?: SubscribeProperties;
}

function optionsByte(s: Subscription, i: number, version: ProtocolVersion): number {
  const field = `subscriptions[${i}]`;
  if (s.qos !== 0 && s.qos !== 1 && s.qos !== 2) {
    throw new EncodeError('ENCODE_INVALID_QOS', `must be 0, 1 or 2, got ${show(s.qos)}`, `${field}.qos`);
  }
  if (version === 4) return s.qos;
  const rh = s.retainHandling ?? 0;
  if (rh !== 0 && rh !== 1 && rh !== 2) {
    throw new EncodeError('ENCODE_INVALID_FIELD', `must be 0, 1 or 2, got ${show(rh)}`, `${field}.retainHandling`);
  }
  if (s.noLocal === true && isSharedFilter(s.topicFilter)) {
    throw new EncodeError('ENCODE_INVALID_FIELD', 'must not be set on a shared subscription', `${field}.noLocal`, { specRef: 'MQTT-3.8.3-4' });
  }
  return s.qos | (s.noLocal ? 0x04 : 0) | (s.retainAsPublished ? 0x08 : 0) | (rh << 4);
}

/** Encodes a SUBSCRIBE. */
export function encodeSubscribe(p: SubscribePacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  checkPacketId(p.packetId);
  const subs = p.subscriptions;
  if (!Array.isArray(subs) || subs.length === 0) {
    throw new EncodeError('ENCODE_EMPTY_SUBSCRIPTIONS', 'must hold at least one subscription', 'subscriptions', {
      specRef: version === 5 ? 'MQTT-3.8.3-2' : 'MQTT-3.8.3-3',
    });
  }
  let remaining = 2;
  let propsLength = 0;
  if (version === 5) {
    propsLength = propertiesLength(p.properties, K_SUBSCRIBE, 'properties');
    remaining += vbiLength(propsLength) + propsLength;
  }
  const lengths: number[] = new Array(subs.length);
  const options: number[] = new Array(subs.length);
  for (let i = 0; i < subs.length; i++) {
    const s = subs[i];
    if (s === null || typeof s !== 'object') {
      throw new EncodeError('ENCODE_INVALID_FIELD', `must be a subscription object, got ${show(s)}`, `subscriptions[${i}]`);
    }
    const problem = topicFilterProblem(s.topicFilter);
    if (problem !== undefined) throw new EncodeError('ENCODE_INVALID_TOPIC_FILTER', problem, `subscriptions[${i}].topicFilter`);
    lengths[i] = stringLength(s.topicFilter, `subscriptions[${i}].topicFilter`);
    options[i] = optionsByte(s, i, version);
    remaining += 3 + lengths[i];
  }
  const w = startPacket(0x82, remaining, maximumPacketSize, 'subscriptions');
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, propsLength);
  for (let i = 0; i < subs.length; i++) {
    w.utf8(subs[i].topicFilter, lengths[i]);
    w.u8(options[i]);
  }
  return w.buf;
}

/**
 * Decodes a SUBSCRIBE body. Topic filters are checked as UTF-8 only: whether a filter is valid is
 * for the server to answer per subscription (SUBACK 0x8F), using `topicFilterProblem`.
 */
export function decodeSubscribe(r: ByteReader): SubscribePacket {
  const packetId = r.packetId();
  const v5 = r.version === 5;
  const properties = v5 ? (readProperties(r, K_SUBSCRIBE) as SubscribeProperties | undefined) : undefined;
  if (r.remaining === 0) {
    r.fail('DECODE_EMPTY_SUBSCRIPTIONS', 'SUBSCRIBE must contain at least one topic filter', {
      specRef: r.ref('MQTT-3.8.3-3', 'MQTT-3.8.3-2'),
      reasonCode: 0x82,
    });
  }
  const subscriptions: Subscription[] = [];
  while (r.remaining > 0) {
    const topicFilter = r.utf8('topic filter');
    const at = r.pos;
    const o = r.u8('subscription options');
    const qos = o & 3;
    if (qos === 3) {
      r.fail('DECODE_INVALID_SUBSCRIPTION_OPTIONS', 'maximum QoS must not be 3', { specRef: r.ref('MQTT-3-8.3-4', undefined), reasonCode: 0x82 }, at);
    }
    if (!v5) {
      if ((o & 0xfc) !== 0) r.fail('DECODE_INVALID_SUBSCRIPTION_OPTIONS', 'reserved option bits must be 0', { specRef: 'MQTT-3-8.3-4' }, at);
      subscriptions.push({ topicFilter, qos: qos as QoS });
      continue;
    }
    if ((o & 0xc0) !== 0) r.fail('DECODE_INVALID_SUBSCRIPTION_OPTIONS', 'reserved option bits 7-6 must be 0', { specRef: 'MQTT-3.8.3-5' }, at);
    const retainHandling = (o >> 4) & 3;
    if (retainHandling === 3) r.fail('DECODE_INVALID_SUBSCRIPTION_OPTIONS', 'retain handling must not be 3', { reasonCode: 0x82 }, at);
    const noLocal = (o & 0x04) !== 0;
    if (noLocal && isSharedFilter(topicFilter)) {
      r.fail('DECODE_INVALID_SUBSCRIPTION_OPTIONS', 'no local must not be set on a shared subscription', { specRef: 'MQTT-3.8.3-4', reasonCode: 0x82 }, at);
    }
    subscriptions.push({
      topicFilter,
      qos: qos as QoS,
      noLocal,
      retainAsPublished: (o & 0x08) !== 0,
      retainHandling: retainHandling as 0 | 1 | 2,
    });
  }
  return { type: 'subscribe', packetId, subscriptions, properties };
}
