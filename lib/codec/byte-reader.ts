import { DecodeError } from '../errors.js';
import type { ProtocolVersion } from './packet.js';
import { readUtf8, utf8Result, UTF8_HAS_NULL, UTF8_OK } from './utf8.js';

const EMPTY = new Uint8Array(0);

/** Options of {@link ByteReader.fail}. */
export interface FailOptions {
  readonly specRef?: string;
  /** MQTT 5 reason code to send when closing; 0x81 (Malformed Packet) by default. */
  readonly reasonCode?: number;
}

/**
 * A cursor over the body of one packet (`buf[pos, end)`), reused by the decoder for every packet.
 * Every read checks the packet end and throws {@link DecodeError} with the stream offset, so a field
 * can never run past its packet. `base` is the stream offset of `buf[0]`.
 */
export class ByteReader {
  buf: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
  base = 0;
  /** The protocol version of the packet being read. */
  version: ProtocolVersion = 4;

  reset(buf: Uint8Array, pos: number, end: number, base: number, version: ProtocolVersion): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.base = base;
    this.version = version;
  }

  /** Throws a DecodeError located at buffer index `at` (the current position by default). */
  fail(code: string, message: string, options: FailOptions = {}, at: number = this.pos): never {
    throw new DecodeError(code, message, this.base + at, options);
  }

  /** Picks the statement id of the version being read. */
  ref(v4: string | undefined, v5: string | undefined): string | undefined {
    return this.version === 5 ? v5 : v4;
  }

  /** Bytes left in the packet. */
  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, field: string): void {
    if (this.pos + n > this.end) {
      this.fail('DECODE_TRUNCATED', `${field} runs past the end of the packet`);
    }
  }

  u8(field: string): number {
    if (this.pos >= this.end) this.need(1, field);
    return this.buf[this.pos++];
  }

  u16(field: string): number {
    const p = this.pos;
    if (p + 2 > this.end) this.need(2, field);
    this.pos = p + 2;
    return (this.buf[p] << 8) | this.buf[p + 1];
  }

  u32(field: string): number {
    const p = this.pos;
    if (p + 4 > this.end) this.need(4, field);
    const b = this.buf;
    this.pos = p + 4;
    return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  /** A packet identifier, which must not be 0 [MQTT-2.3.1-1] (3.1.1) / [MQTT-2.2.1-3] (5.0). */
  packetId(): number {
    const start = this.pos;
    const id = this.u16('packet identifier');
    if (id === 0) {
      this.fail('DECODE_INVALID_PACKET_ID', 'packet identifier must not be 0', {
        specRef: this.ref('MQTT-2.3.1-1', 'MQTT-2.2.1-3'),
        reasonCode: 0x82,
      }, start);
    }
    return id;
  }

  /** A Variable Byte Integer: at most 4 bytes, and minimal in 5.0 [MQTT-1.5.5-1]. */
  vbi(field: string): number {
    const start = this.pos;
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.u8(field);
      value += (b & 0x7f) * multiplier;
      if (b < 0x80) {
        if (b === 0 && i > 0 && this.version === 5) {
          this.fail('DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', `${field} is not minimally encoded`, { specRef: 'MQTT-1.5.5-1' }, start);
        }
        return value;
      }
      multiplier *= 128;
    }
    return this.fail('DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', `${field} is longer than 4 bytes`, {}, start);
  }

  /** A UTF-8 Encoded String: well-formed, no surrogates [MQTT-1.5.4-1], no U+0000 [MQTT-1.5.4-2]. */
  utf8(field: string): string {
    const len = this.u16(field);
    const start = this.pos;
    if (start + len > this.end) this.need(len, field);
    const code = readUtf8(this.buf, start, start + len);
    if (code !== UTF8_OK) {
      if (code === UTF8_HAS_NULL) {
        this.fail('DECODE_INVALID_UTF8', `${field} contains U+0000`, { specRef: this.ref('MQTT-1.5.3-2', 'MQTT-1.5.4-2') }, start);
      }
      this.fail('DECODE_INVALID_UTF8', `${field} is not well-formed UTF-8`, { specRef: this.ref('MQTT-1.5.3-1', 'MQTT-1.5.4-1') }, start);
    }
    this.pos = start + len;
    return utf8Result;
  }

  /** Binary Data (two-byte length then bytes), returned as a view. */
  binary(field: string): Uint8Array {
    const len = this.u16(field);
    const start = this.pos;
    if (start + len > this.end) this.need(len, field);
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  /** The rest of the packet as a view. */
  rest(): Uint8Array {
    const start = this.pos;
    this.pos = this.end;
    return this.buf.subarray(start, this.end);
  }
}
