import fc from 'fast-check';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet, ProtocolVersion } from '../../lib/codec/packet.js';
import { DecodeError } from '../../lib/errors.js';
import { topicFilterProblem } from '../../lib/codec/topic.js';
import { arbitraryPacket, comparable } from './arbitraries.js';

/** A first byte with the flags each packet type requires (MQTT 5.0 table 2-2), QoS 3 excluded. */
const FIRST_BYTES = [
  0x10, 0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x40, 0x50, 0x62, 0x70, 0x82, 0x90, 0xa2, 0xb0,
  0xc0, 0xd0, 0xe0, 0xf0,
];

function varInt(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

interface Outcome { readonly packets: Packet[]; readonly error?: DecodeError }

/**
 * Feeds chunks to a decoder, checking after every write that buffering stays within `max` and that
 * nothing but a DecodeError is ever thrown; after an error, a further write must fail the same way.
 */
function feed(decoder: PacketDecoder, chunks: readonly Uint8Array[], max: number): Outcome {
  const packets: Packet[] = [];
  for (const chunk of chunks) {
    try {
      decoder.write(chunk, (p) => packets.push(p));
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      const first = error as DecodeError;
      let again: unknown;
      try { decoder.write(new Uint8Array([0xc0, 0x00]), () => undefined); } catch (e) { again = e; }
      expect(again).toBeInstanceOf(DecodeError);
      expect((again as DecodeError).code).toBe(first.code);
      return { packets, error: first };
    }
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(max);
  }
  return { packets };
}

const split = (bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] => {
  const sorted = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const end of [...sorted, bytes.length]) { out.push(bytes.slice(start, end)); start = end; }
  return out;
};

/** Sequences of frames with a valid fixed header and a random body: reaches every body parser. */
const framed = fc
  .array(fc.tuple(fc.constantFrom(...FIRST_BYTES), fc.uint8Array({ maxLength: 60 })), { minLength: 1, maxLength: 8 })
  .map((frames) => new Uint8Array(frames.flatMap(([first, body]) => [first, ...varInt(body.length), ...body])));

const versions: (ProtocolVersion | undefined)[] = [4, 5, undefined];
const MAX = 300;

describe('codec fuzzing', () => {
  it.each(versions)('random bytes yield only packets or a DecodeError, with bounded buffering (version %s)', (v) => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 800 }), framed), fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
        const outcome = feed(new PacketDecoder({ protocolVersion: v, maximumPacketSize: MAX }), split(bytes, cuts), MAX);
        for (const p of outcome.packets) expect(typeof p.type).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  describe.each([4, 5] as const)('mutated valid encodings, version %i', (v) => {
    const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'xor', 'delete', 'insert'), value: fc.integer({ min: 0, max: 255 }) });
    const mutated = fc
      .tuple(fc.array(arbitraryPacket(v, 100), { minLength: 1, maxLength: 6 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
      .map(([packets, mutations]) => {
        const bytes = packets.flatMap((p) => [...encode(p, { protocolVersion: v })]);
        for (const { at, kind, value } of mutations) {
          const i = at % (bytes.length + 1);
          if (kind === 'set') bytes[i] = value;
          else if (kind === 'xor') bytes[i] ^= 1 << (value & 7);
          else if (kind === 'delete') bytes.splice(i, 1);
          else bytes.splice(i, 0, value);
        }
        return new Uint8Array(bytes.filter((b) => b !== undefined));
      });

    it('yield only packets or a DecodeError', () => {
      fc.assert(
        fc.property(mutated, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
          feed(new PacketDecoder({ protocolVersion: v, maximumPacketSize: 1 << 16 }), split(bytes, cuts), 1 << 16);
        }),
        { numRuns: 1000 },
      );
    });

    it('every packet the decoder accepts is valid: the encoder accepts it and it round-trips', () => {
      fc.assert(
        fc.property(mutated, (bytes) => {
          const { packets } = feed(new PacketDecoder({ protocolVersion: v }), [bytes], 268_435_460);
          for (const p of packets) {
            // By design the decoder checks SUBSCRIBE/UNSUBSCRIBE filters as UTF-8 only, so that a server
            // can refuse a bad filter per subscription (reason code 0x8F) instead of dropping the link.
            if (hasInvalidFilter(p)) continue;
            const again: Packet[] = [];
            new PacketDecoder({ protocolVersion: v }).write(encode(p, { protocolVersion: v }), (q) => again.push(q));
            expect(comparable(again)).toEqual(comparable([p]));
          }
        }),
        { numRuns: 700 },
      );
    });
  });

  describe('maximum packet size', () => {
    it('rejects a remaining length that makes the packet too large as soon as the fixed header is complete', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...FIRST_BYTES),
          fc.integer({ min: 2, max: 100_000 }),
          fc.integer({ min: 0, max: 268_435_455 }),
          fc.boolean(),
          fc.constantFrom<ProtocolVersion>(4, 5),
          (first, max, length, byteByByte, v) => {
            const header = [first, ...varInt(length)];
            fc.pre(header.length + length > max);
            const decoder = new PacketDecoder({ protocolVersion: v, maximumPacketSize: max });
            const chunks = byteByByte ? header.map((b) => new Uint8Array([b])) : [new Uint8Array(header)];
            // The header alone must be enough: no body byte is ever given.
            const { error } = feed(decoder, chunks, max);
            expect(error).toBeInstanceOf(DecodeError);
            expect(error?.reasonCode).toBe(0x95); // Packet too large
          },
        ),
        { numRuns: 500 },
      );
    });

    it.each([4, 5] as const)('accepts a packet of exactly maximumPacketSize bytes (version %i)', (v) => {
      // Sizes on both sides of the 1/2/3-byte remaining length boundaries (R = 127, 128, 16 383, 16 384).
      for (const max of [10, 129, 131, 16_386, 16_389]) {
        const packet = publishOfSize(max, v);
        expect(packet).toBeDefined();
        const bytes = encode(packet as Packet, { protocolVersion: v });
        expect(bytes.length).toBe(max);
        const out: Packet[] = [];
        new PacketDecoder({ protocolVersion: v, maximumPacketSize: max }).write(bytes, (p) => out.push(p));
        expect(comparable(out)).toEqual(comparable([packet]));
        expect(() => new PacketDecoder({ protocolVersion: v, maximumPacketSize: max - 1 }).write(bytes, () => undefined)).toThrow(DecodeError);
      }
    });
  });
});

function hasInvalidFilter(p: Packet): boolean {
  if (p.type === 'subscribe') return p.subscriptions.some((s) => topicFilterProblem(s.topicFilter) !== undefined);
  if (p.type === 'unsubscribe') return p.topicFilters.some((f) => topicFilterProblem(f) !== undefined);
  return false;
}

/** A QoS 0 PUBLISH to 'a' whose encoding is exactly `size` bytes, when one exists. */
function publishOfSize(size: number, v: ProtocolVersion): Packet | undefined {
  for (let n = Math.max(0, size - 12); n <= size; n++) {
    const p: Packet = { type: 'publish', topic: 'a', payload: new Uint8Array(n), qos: 0, retain: false, dup: false };
    const length = encode(p, { protocolVersion: v }).length;
    if (length === size) return p;
    if (length > size) return undefined;
  }
  return undefined;
}
