import { formatMessage } from '../../lib/cli/format-message';

const enc = new TextEncoder();
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const msg = (topic: string, payload: Uint8Array) => ({ topic, payload, qos: 0 as const, retain: false });

describe('formatMessage', () => {
  it('prints the payload and a newline by default', () => {
    expect(dec(formatMessage(msg('a/b', enc.encode('21.5')), { verbose: false, newline: true }))).toBe('21.5\n');
  });

  it('prints topic, space, payload with verbose', () => {
    expect(dec(formatMessage(msg('a/b', enc.encode('hi there')), { verbose: true, newline: true }))).toBe('a/b hi there\n');
  });

  it('prints an empty payload as (null) with verbose and as an empty line without', () => {
    expect(dec(formatMessage(msg('a/b', new Uint8Array(0)), { verbose: true, newline: true }))).toBe('a/b (null)\n');
    expect(dec(formatMessage(msg('a/b', new Uint8Array(0)), { verbose: false, newline: true }))).toBe('\n');
  });

  it('leaves the newline out when asked', () => {
    expect(dec(formatMessage(msg('t', enc.encode('x')), { verbose: true, newline: false }))).toBe('t x');
  });

  it('copies binary payloads byte for byte and encodes the topic as UTF-8', () => {
    const payload = Uint8Array.of(0x00, 0xff, 0x0a, 0x80);
    const out = formatMessage(msg('é', payload), { verbose: true, newline: true });
    expect(Array.from(out)).toEqual([0xc3, 0xa9, 0x20, 0x00, 0xff, 0x0a, 0x80, 0x0a]);
  });
});
