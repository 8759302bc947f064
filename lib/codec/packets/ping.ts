import { allocate } from '../byte-writer.js';

/** PINGREQ (type 12). */
export interface PingreqPacket {
  /** The packet's kind: PINGREQ. */
  readonly type: 'pingreq';
}

/** PINGRESP (type 13). */
export interface PingrespPacket {
  /** The packet's kind: PINGRESP. */
  readonly type: 'pingresp';
}

const PINGREQ: PingreqPacket = Object.freeze({ type: 'pingreq' });
const PINGRESP: PingrespPacket = Object.freeze({ type: 'pingresp' });

/** Encodes PINGREQ: always the two bytes 0xC0 0x00. */
export function encodePingreq(): Uint8Array {
  const b = allocate(2);
  b[0] = 0xc0;
  return b;
}

/** Encodes PINGRESP: always the two bytes 0xD0 0x00. */
export function encodePingresp(): Uint8Array {
  const b = allocate(2);
  b[0] = 0xd0;
  return b;
}

/** Decodes PINGREQ (no body; the decoder rejects leftover bytes). Returns a shared frozen object. */
export function decodePingreq(): PingreqPacket {
  return PINGREQ;
}

/** Decodes PINGRESP (no body). Returns a shared frozen object. */
export function decodePingresp(): PingrespPacket {
  return PINGRESP;
}
