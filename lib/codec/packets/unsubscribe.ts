import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { checkPacketId, startPacket, stringLength, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_UNSUBSCRIBE } from '../property-table.js';
import type { UnsubscribeProperties } from '../properties.js';
import { topicFilterProblem } from '../topic.js';

/** UNSUBSCRIBE (type 10, fixed header flags 0b0010). */
export interface UnsubscribePacket {
  /** The packet's kind: UNSUBSCRIBE. */
  readonly type: 'unsubscribe';
  /** The packet identifier (1 to 65535) the UNSUBACK repeats. */
  readonly packetId: number;
  /** At least one. */
  readonly topicFilters: readonly string[];
  /** MQTT 5.0 only: user properties. */
  readonly properties?: UnsubscribeProperties;
}

/** Encodes an UNSUBSCRIBE. */
export function encodeUnsubscribe(p: UnsubscribePacket, version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  checkPacketId(p.packetId);
  const filters = p.topicFilters;
  if (!Array.isArray(filters) || filters.length === 0) {
    throw new EncodeError('ENCODE_EMPTY_SUBSCRIPTIONS', 'must hold at least one topic filter', 'topicFilters', { specRef: 'MQTT-3.10.3-2' });
  }
  let remaining = 2;
  let propsLength = 0;
  if (version === 5) {
    propsLength = propertiesLength(p.properties, K_UNSUBSCRIBE, 'properties');
    remaining += vbiLength(propsLength) + propsLength;
  }
  const lengths: number[] = new Array(filters.length);
  for (let i = 0; i < filters.length; i++) {
    const problem = topicFilterProblem(filters[i]);
    if (problem !== undefined) throw new EncodeError('ENCODE_INVALID_TOPIC_FILTER', problem, `topicFilters[${i}]`);
    lengths[i] = stringLength(filters[i], `topicFilters[${i}]`);
    remaining += 2 + lengths[i];
  }
  const w = startPacket(0xa2, remaining, maximumPacketSize, 'topicFilters');
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, propsLength);
  for (let i = 0; i < filters.length; i++) w.utf8(filters[i], lengths[i]);
  return w.buf;
}

/** Decodes an UNSUBSCRIBE body (filters checked as UTF-8 only, like SUBSCRIBE). */
export function decodeUnsubscribe(r: ByteReader): UnsubscribePacket {
  const packetId = r.packetId();
  const properties = r.version === 5 ? (readProperties(r, K_UNSUBSCRIBE) as UnsubscribeProperties | undefined) : undefined;
  if (r.remaining === 0) {
    r.fail('DECODE_EMPTY_SUBSCRIPTIONS', 'UNSUBSCRIBE must contain at least one topic filter', { specRef: 'MQTT-3.10.3-2', reasonCode: 0x82 });
  }
  const topicFilters: string[] = [];
  while (r.remaining > 0) topicFilters.push(r.utf8('topic filter'));
  return { type: 'unsubscribe', packetId, topicFilters, properties };
}
