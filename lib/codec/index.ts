/**
 * `rxmqtt/codec`: the pure, synchronous MQTT 3.1.1 and 5.0 codec. No RxJS, no Node built-ins.
 */
export type * from './packet.js';
export type * from './properties.js';
export { encode, type EncodeOptions } from './encode.js';
export { PacketDecoder, type DecoderOptions } from './decoder.js';
