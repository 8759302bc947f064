import { readUtf8, utf8Length, utf8Problem, utf8Result, UTF8_HAS_NULL, UTF8_ILL_FORMED, UTF8_LONE_SURROGATE, UTF8_NULL, UTF8_OK, writeUtf8 } from '../../lib/codec/utf8.js';

const enc = new TextEncoder();

describe('utf8Length', () => {
  it.each(['', 'abc', 'ü', '€', '😀', 'a/ü/€/😀', 'x'.repeat(40) + 'é'])('matches TextEncoder for %j', (s) => {
    expect(utf8Length(s)).toBe(enc.encode(s).length);
  });

  it('flags U+0000 and lone surrogates', () => {
    expect(utf8Length('a\u0000')).toBe(UTF8_NULL);
    expect(utf8Length('\ud800')).toBe(UTF8_LONE_SURROGATE);
    expect(utf8Length('\udc00a')).toBe(UTF8_LONE_SURROGATE);
    expect(utf8Length('\ud800\ud800')).toBe(UTF8_LONE_SURROGATE);
  });

  it('utf8Problem explains, including the 65 535 byte limit', () => {
    expect(utf8Problem('ok')).toBeUndefined();
    expect(utf8Problem('a\u0000')).toMatch(/U\+0000/);
    expect(utf8Problem('\ud800')).toMatch(/surrogate/);
    expect(utf8Problem('€'.repeat(21846))).toMatch(/65538 bytes/);
  });
});

describe('writeUtf8 and readUtf8', () => {
  it.each(['', 'topic/a', 'ü', '😀/€', 'long-ascii-'.repeat(10), 'mixé'.repeat(20)])('round trip %j', (s) => {
    const n = utf8Length(s);
    const buf = new Uint8Array(n + 4);
    expect(writeUtf8(buf, 2, s, n)).toBe(2 + n);
    expect(buf.subarray(2, 2 + n)).toEqual(enc.encode(s));
    expect(readUtf8(buf, 2, 2 + n)).toBe(UTF8_OK);
    expect(utf8Result).toBe(s);
  });

  it.each([
    [[0xc3, 0x28], 'bad continuation'],
    [[0xc0, 0xaf], 'overlong'],
    [[0xed, 0xa0, 0x80], 'encoded surrogate'],
    [[0xf4, 0x90, 0x80, 0x80], 'above U+10FFFF'],
    [[0xe2, 0x82], 'truncated'],
    [[0xff], 'invalid byte'],
  ])('rejects %j (%s)', (input) => {
    expect(readUtf8(new Uint8Array(input), 0, input.length)).toBe(UTF8_ILL_FORMED);
  });

  it('rejects U+0000 on the short ASCII path and on the long path', () => {
    expect(readUtf8(new Uint8Array([0x61, 0x00]), 0, 2)).toBe(UTF8_HAS_NULL);
    const long = new Uint8Array([...enc.encode('é'.repeat(40)), 0x00]);
    expect(readUtf8(long, 0, long.length)).toBe(UTF8_HAS_NULL);
  });
});
