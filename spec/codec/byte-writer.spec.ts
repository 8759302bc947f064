import { allocate, binaryLength, checkInt, checkPacketId, show, startPacket, stringLength, vbiLength, writer } from '../../lib/codec/byte-writer.js';
import { EncodeError } from '../../lib/errors.js';

describe('byte writer', () => {
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [16_383, [0xff, 0x7f]],
    [16_384, [0x80, 0x80, 0x01]],
    [2_097_151, [0xff, 0xff, 0x7f]],
    [2_097_152, [0x80, 0x80, 0x80, 0x01]],
    [268_435_455, [0xff, 0xff, 0xff, 0x7f]],
  ])('writes %i as the variable byte integer %j (spec table 1.5.5)', (value, bytes) => {
    expect(vbiLength(value)).toBe(bytes.length);
    writer.buf = new Uint8Array(4);
    writer.pos = 0;
    writer.vbi(value);
    expect([...writer.buf.subarray(0, writer.pos)]).toEqual(bytes);
  });

  it('allocates regions that never overlap', () => {
    const regions = Array.from({ length: 1000 }, (_, i) => allocate(1 + (i % 50)));
    regions.forEach((r, i) => r.fill(i & 0xff));
    regions.forEach((r, i) => expect(r.every((b) => b === (i & 0xff))).toBe(true));
    expect(allocate(3000).byteOffset).toBe(0);
  });

  it('startPacket writes the fixed header and enforces the limits', () => {
    const w = startPacket(0x30, 200, undefined, 'payload');
    expect([...w.buf.subarray(0, 3)]).toEqual([0x30, 0xc8, 0x01]);
    expect(w.buf).toHaveLength(203);
    expect(w.pos).toBe(3);
    expect(() => startPacket(0x30, 200, 202, 'payload')).toThrow(expect.objectContaining({ code: 'ENCODE_PACKET_TOO_LARGE', field: 'payload' }));
    expect(() => startPacket(0x30, 268_435_456, undefined, 'payload')).toThrow(expect.objectContaining({ code: 'ENCODE_PACKET_TOO_LARGE' }));
  });

  it('checks strings, binary data, integers and packet identifiers', () => {
    expect(stringLength('aü', 's')).toBe(3);
    expect(() => stringLength(1, 's')).toThrow(expect.objectContaining({ code: 'ENCODE_INVALID_FIELD', field: 's' }));
    expect(() => stringLength('x'.repeat(65536), 's')).toThrow(expect.objectContaining({ code: 'ENCODE_STRING_TOO_LONG' }));
    expect(binaryLength(new Uint8Array(3), 'b')).toBe(3);
    expect(() => binaryLength(new Uint8Array(65536), 'b')).toThrow(EncodeError);
    expect(() => binaryLength([1], 'b')).toThrow(EncodeError);
    expect(checkInt(5, 0, 10, 'n')).toBe(5);
    expect(() => checkInt(11, 0, 10, 'n')).toThrow(EncodeError);
    expect(() => checkInt(NaN, 0, 10, 'n')).toThrow(EncodeError);
    expect(checkPacketId(65535)).toBe(65535);
    expect(() => checkPacketId('1')).toThrow(expect.objectContaining({ code: 'ENCODE_INVALID_PACKET_ID', field: 'packetId' }));
  });

  it('describes any value without throwing', () => {
    expect(show('a')).toBe('"a"');
    expect(show(3)).toBe('3');
    expect(show(null)).toBe('null');
    expect(show(Object.create(null))).toBe('an object');
    expect(show([1])).toBe('an array');
    expect(show(Symbol('s'))).toBe('a symbol');
  });
});
