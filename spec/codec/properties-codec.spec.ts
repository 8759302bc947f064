import { ByteReader } from '../../lib/codec/byte-reader.js';
import { startPacket } from '../../lib/codec/byte-writer.js';
import { propertiesLength, readProperties, writeProperties } from '../../lib/codec/properties-codec.js';
import { K_CONNACK, K_PUBLISH } from '../../lib/codec/property-table.js';
import { DecodeError, EncodeError } from '../../lib/errors.js';

function write(props: object, kind: number): Uint8Array {
  const n = propertiesLength(props, kind, 'properties');
  const w = startPacket(0, n + 4, undefined, 'properties');
  const start = w.pos;
  writeProperties(w, props, n);
  return w.buf.subarray(start, w.pos);
}

function read(bytes: number[] | Uint8Array, kind: number): Record<string, unknown> | undefined {
  const r = new ByteReader();
  const buf = new Uint8Array(bytes);
  r.reset(buf, 0, buf.length, 0, 5);
  const out = readProperties(r, kind);
  expect(r.pos).toBe(buf.length);
  return out;
}

describe('property blocks', () => {
  it('writes properties in the order of the object, after their length', () => {
    expect([...write({ topicAlias: 1, contentType: 'a' }, K_PUBLISH)]).toEqual([
      0x07, //   property length 7
      0x23, 0x00, 0x01, // topic alias 1
      0x03, 0x00, 0x01, 0x61, // content type 'a'
    ]);
  });

  it('skips undefined values, and an empty block is a single 0', () => {
    expect([...write({ topicAlias: undefined }, K_PUBLISH)]).toEqual([0x00]);
    expect(read([0x00], K_PUBLISH)).toBeUndefined();
  });

  it('reads booleans as booleans and keeps user property order', () => {
    expect(read([0x0a, 0x25, 0x01, 0x26, 0x00, 0x01, 0x62, 0x00, 0x00, 0x28, 0x00], K_CONNACK)).toEqual({
      retainAvailable: true,
      userProperties: [['b', '']],
      wildcardSubscriptionAvailable: false,
    });
  });

  it('collects repeated subscription identifiers in PUBLISH', () => {
    expect(read([0x05, 0x0b, 0x01, 0x0b, 0x80, 0x01], K_PUBLISH)).toEqual({ subscriptionIdentifiers: [1, 128] });
  });

  it('rejects what cannot be encoded or decoded with typed errors', () => {
    expect(() => write({ topicAlias: 1 }, K_CONNACK)).toThrow(EncodeError);
    expect(() => write('x' as never, K_PUBLISH)).toThrow(EncodeError);
    expect(() => read([0x02, 0x25, 0x02], K_CONNACK)).toThrow(DecodeError);
  });
});
