/**
 * RxJS operators over MQTT bytes and packets.
 */
export { decodePackets } from './decode-packets.js';
export { encodePackets } from './encode-packets.js';
export { ofType } from './of-type.js';
export { ackAfter, type AckAfterOptions, type AckAfterFailure, type Acknowledgeable } from './ack-after.js';
