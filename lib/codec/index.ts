/**
 * `rxmqtt/codec`: the pure, synchronous MQTT 3.1.1 and 5.0 codec. No RxJS, no Node built-ins.
 */
export type * from './packet.js';
export type * from './properties.js';
export { encode, type EncodeOptions } from './encode.js';
export { PacketDecoder, MAX_PACKET_SIZE, type DecoderOptions } from './decoder.js';
export { topicNameProblem, topicFilterProblem, isSharedFilter } from './topic.js';
export { reasonCodeName, isValidReasonCode, REASON_CODE_NAMES, CONNECT_RETURN_CODE_NAMES } from './reason-codes.js';
export { PROPERTIES, type PropertyDefinition } from './property-table.js';
export { DecodeError, EncodeError } from '../errors.js';
