/**
 * `rxmqtt/codec`: the pure, synchronous MQTT 3.1.1 and 5.0 codec. No RxJS, no Node built-ins: it
 * works on `Uint8Array` and runs unchanged in browsers, workers and Node. See docs/codec.md.
 *
 * @example
 * ```ts
 * import { encode, PacketDecoder } from 'rxmqtt/codec';
 * const bytes = encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'sensors/#', qos: 1 }] }, { protocolVersion: 4 });
 * new PacketDecoder({ protocolVersion: 4 }).write(Uint8Array.of(0x90, 0x03, 0x00, 0x01, 0x01), (packet) => console.log(packet));
 * // { type: 'suback', packetId: 1, reasonCodes: [1] }
 * ```
 *
 * @module rxmqtt/codec
 */
export type * from './packet.js';
export type * from './properties.js';
export { encode, type EncodeOptions } from './encode.js';
export { PacketDecoder, MAX_PACKET_SIZE, type DecoderOptions } from './decoder.js';
export { topicNameProblem, topicFilterProblem, isSharedFilter } from './topic.js';
export { reasonCodeName, isValidReasonCode, REASON_CODE_NAMES, CONNECT_RETURN_CODE_NAMES } from './reason-codes.js';
export { PROPERTIES, type PropertyDefinition } from './property-table.js';
export { DecodeError, EncodeError } from '../errors.js';
