import { ByteReader } from '../../lib/codec/byte-reader.js';
import { DecodeError } from '../../lib/errors.js';

function reader(bytes: number[], version: 4 | 5 = 5, base = 100): ByteReader {
  const r = new ByteReader();
  r.reset(new Uint8Array(bytes), 0, bytes.length, base, version);
  return r;
}

function failure(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('ByteReader', () => {
  it('reads big-endian integers', () => {
    const r = reader([0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0xff]);
    expect(r.u8('a')).toBe(1);
    expect(r.u16('b')).toBe(0x0203);
    expect(r.u32('c')).toBe(0xffffffff);
    expect(r.remaining).toBe(0);
  });

  it.each([
    [[0x00], 0],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0xff, 0x7f], 16_383],
    [[0x80, 0x80, 0x01], 16_384],
    [[0xff, 0xff, 0xff, 0x7f], 268_435_455],
  ])('reads the variable byte integer %j as %i (spec table 1.5.5)', (bytes, value) => {
    expect(reader(bytes).vbi('v')).toBe(value);
  });

  it('rejects a variable byte integer of 5 bytes, and a non-minimal one in 5.0 only', () => {
    const long = failure(() => reader([0xff, 0xff, 0xff, 0xff, 0x01]).vbi('v'));
    expect({ code: long.code, offset: long.offset }).toEqual({ code: 'DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', offset: 100 });
    const nonMinimal = failure(() => reader([0x80, 0x00]).vbi('v'));
    expect({ code: nonMinimal.code, specRef: nonMinimal.specRef }).toEqual({ code: 'DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', specRef: 'MQTT-1.5.5-1' });
    expect(reader([0x80, 0x00], 4).vbi('v')).toBe(0);
  });

  it('never reads past its end, reporting the stream offset', () => {
    const r = reader([0x00, 0x05, 0x61], 5, 1000);
    const e = failure(() => r.utf8('name'));
    expect({ code: e.code, offset: e.offset }).toEqual({ code: 'DECODE_TRUNCATED', offset: 1002 });
    expect(failure(() => reader([0x01]).u16('x')).code).toBe('DECODE_TRUNCATED');
    expect(failure(() => reader([0x01, 0x02, 0x03]).u32('x')).code).toBe('DECODE_TRUNCATED');
    expect(failure(() => reader([]).u8('x')).code).toBe('DECODE_TRUNCATED');
    expect(failure(() => reader([0x00, 0x02, 0x01]).binary('x')).code).toBe('DECODE_TRUNCATED');
  });

  it('returns binary data and the rest as views', () => {
    const buf = new Uint8Array([0x00, 0x02, 0x0a, 0x0b, 0x0c]);
    const r = new ByteReader();
    r.reset(buf, 0, buf.length, 0, 4);
    const bin = r.binary('b');
    expect(bin).toEqual(new Uint8Array([0x0a, 0x0b]));
    expect(bin.buffer).toBe(buf.buffer);
    expect(r.rest()).toEqual(new Uint8Array([0x0c]));
  });

  it('rejects packet identifier 0 with the statement of the version', () => {
    expect(failure(() => reader([0x00, 0x00], 4).packetId()).specRef).toBe('MQTT-2.3.1-1');
    expect(failure(() => reader([0x00, 0x00], 5).packetId()).specRef).toBe('MQTT-2.2.1-3');
    expect(reader([0x12, 0x34]).packetId()).toBe(0x1234);
  });
});
