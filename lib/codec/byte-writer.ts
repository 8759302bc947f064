import { EncodeError } from '../errors.js';
import { utf8Length, UTF8_NULL, writeUtf8 } from './utf8.js';

/** Largest Remaining Length a Variable Byte Integer can carry. */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** Bytes a Variable Byte Integer takes for `n` (0 to 268 435 455). */
export function vbiLength(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

/**
 * Writes into one preallocated buffer per packet. The encoder is synchronous and never reentrant,
 * so a single module-level writer is shared by all encoders (no allocation per packet but the bytes).
 */
export class ByteWriter {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    const p = this.pos;
    this.buf[p] = v >>> 8;
    this.buf[p + 1] = v & 0xff;
    this.pos = p + 2;
  }

  u32(v: number): void {
    const p = this.pos;
    const b = this.buf;
    b[p] = v >>> 24;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  vbi(v: number): void {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      this.buf[this.pos++] = b;
    } while (v > 0);
  }

  /** Writes a length-prefixed string whose UTF-8 length is already known. */
  utf8(s: string, byteLength: number): void {
    this.u16(byteLength);
    this.pos = writeUtf8(this.buf, this.pos, s, byteLength);
  }

  /** Writes a length-prefixed binary field. */
  binary(data: Uint8Array): void {
    this.u16(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  bytes(data: Uint8Array): void {
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }
}

/** The shared writer. */
export const writer = new ByteWriter();

/** Small packets are carved out of a shared slab: `new Uint8Array(n)` costs far more than a view. */
const SLAB_SIZE = 16 * 1024;
const MAX_POOLED = 2 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

/**
 * A fresh, writable region of `size` bytes that no other packet uses. Small sizes are views into a
 * shared slab (aligned to 8 bytes; the slab is never written again once handed out), large ones get
 * their own buffer.
 */
export function allocate(size: number): Uint8Array {
  if (size > MAX_POOLED) return new Uint8Array(size);
  if (slabOffset + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const view = new Uint8Array(slab, slabOffset, size);
  slabOffset = (slabOffset + size + 7) & ~7;
  return view;
}

/**
 * Allocates the packet's single buffer, writes the fixed header and returns the shared writer
 * positioned at the variable header. Enforces the Remaining Length limit and `maximumPacketSize`.
 */
export function startPacket(firstByte: number, remainingLength: number, maximumPacketSize: number | undefined, field: string): ByteWriter {
  if (remainingLength > MAX_REMAINING_LENGTH) {
    throw new EncodeError('ENCODE_PACKET_TOO_LARGE', `the packet's remaining length ${remainingLength} exceeds ${MAX_REMAINING_LENGTH}`, field);
  }
  const total = 1 + vbiLength(remainingLength) + remainingLength;
  if (maximumPacketSize !== undefined && total > maximumPacketSize) {
    throw new EncodeError('ENCODE_PACKET_TOO_LARGE', `the packet is ${total} bytes, more than the maximum packet size ${maximumPacketSize}`, field);
  }
  const w = writer;
  w.buf = allocate(total);
  w.pos = 0;
  w.buf[0] = firstByte;
  w.pos = 1;
  w.vbi(remainingLength);
  return w;
}

/** UTF-8 length of a string field, throwing EncodeError naming `field` when it is not a valid MQTT string. */
export function stringLength(s: unknown, field: string): number {
  if (typeof s !== 'string') throw new EncodeError('ENCODE_INVALID_FIELD', 'must be a string', field);
  const n = utf8Length(s);
  if (n < 0) {
    throw new EncodeError(
      'ENCODE_INVALID_STRING',
      n === UTF8_NULL ? 'must not contain U+0000' : 'must not contain a lone surrogate',
      field,
      { specRef: n === UTF8_NULL ? 'MQTT-1.5.4-2' : 'MQTT-1.5.4-1' },
    );
  }
  if (n > 65535) throw new EncodeError('ENCODE_STRING_TOO_LONG', `is ${n} bytes in UTF-8, more than 65535`, field, { specRef: 'MQTT-1.5.4-1' });
  return n;
}

/** Checks a binary field (Uint8Array up to 65535 bytes). */
export function binaryLength(b: unknown, field: string): number {
  if (!(b instanceof Uint8Array)) throw new EncodeError('ENCODE_INVALID_FIELD', 'must be a Uint8Array', field);
  if (b.length > 65535) throw new EncodeError('ENCODE_INVALID_FIELD', `is ${b.length} bytes, more than 65535`, field);
  return b.length;
}

/** Checks an integer field within [min, max]. */
export function checkInt(v: unknown, min: number, max: number, field: string, specRef?: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new EncodeError('ENCODE_INVALID_FIELD', `must be an integer from ${min} to ${max}, got ${show(v)}`, field, { specRef });
  }
  return v;
}

/** Checks a packet identifier: 1 to 65535 [MQTT-2.3.1-1]. */
export function checkPacketId(v: unknown, field = 'packetId'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new EncodeError('ENCODE_INVALID_PACKET_ID', `must be an integer from 1 to 65535, got ${show(v)}`, field, { specRef: 'MQTT-2.3.1-1' });
  }
  return v;
}

/** A short, never-throwing description of a value for error messages. */
export function show(v: unknown): string {
  switch (typeof v) {
    case 'string': return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
    case 'number': case 'boolean': case 'bigint': case 'undefined': return String(v);
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: return v === null ? 'null' : Array.isArray(v) ? 'an array' : 'an object';
  }
}
