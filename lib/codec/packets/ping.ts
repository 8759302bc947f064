/** PINGREQ (type 12). */
export interface PingreqPacket {
  readonly type: 'pingreq';
}

/** PINGRESP (type 13). */
export interface PingrespPacket {
  readonly type: 'pingresp';
}

const PINGREQ: PingreqPacket = Object.freeze({ type: 'pingreq' });
const PINGRESP: PingrespPacket = Object.freeze({ type: 'pingresp' });

/** Encodes PINGREQ: always the two bytes 0xC0 0x00. */
export function encodePingreq(): Uint8Array {
  return new Uint8Array([0xc0, 0x00]);
}

/** Encodes PINGRESP: always the two bytes 0xD0 0x00. */
export function encodePingresp(): Uint8Array {
  return new Uint8Array([0xd0, 0x00]);
}

/** Decodes PINGREQ (no body; the decoder rejects leftover bytes). Returns a shared frozen object. */
export function decodePingreq(): PingreqPacket {
  return PINGREQ;
}

/** Decodes PINGRESP (no body). Returns a shared frozen object. */
export function decodePingresp(): PingrespPacket {
  return PINGRESP;
}
