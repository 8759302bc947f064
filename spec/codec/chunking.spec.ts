import fc from 'fast-check';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet, ProtocolVersion } from '../../lib/codec/packet.js';
import { arbitraryPacket, comparable } from './arbitraries.js';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * Decodes `stream` cut at the given offsets (each chunk a fresh copy, as a socket would deliver it)
 * and returns every packet. Packets are compared only after the whole stream has been fed, so a
 * decoder that reuses a buffer under a payload it already handed out is caught.
 */
function decodeChunked(stream: Uint8Array, cuts: readonly number[], v: ProtocolVersion): Packet[] {
  const decoder = new PacketDecoder({ protocolVersion: v });
  const out: Packet[] = [];
  let start = 0;
  for (const end of [...cuts, stream.length]) {
    decoder.write(stream.slice(start, end), (p) => out.push(p));
    start = end;
  }
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

/** Sorted cut offsets inside the stream (duplicates give empty chunks, which must be harmless). */
const cutsOf = (length: number) =>
  fc.array(fc.integer({ min: 0, max: length }), { maxLength: 40 }).map((c) => c.sort((a, b) => a - b));

describe.each([4, 5] as const)('codec chunking, protocol version %i', (v) => {
  const stream = (maxPayload: number) =>
    fc.array(arbitraryPacket(v, maxPayload), { minLength: 1, maxLength: 25 }).map((packets) => ({
      packets,
      bytes: concat(packets.map((p) => encode(p, { protocolVersion: v }))),
    }));

  it('decodes a stream fed whole, byte by byte, or cut anywhere into the same packets', () => {
    fc.assert(
      fc.property(stream(600), ({ packets, bytes }) => {
        expect(comparable(decodeChunked(bytes, [], v))).toEqual(comparable(packets));
        const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
        expect(comparable(decodeChunked(bytes, everyByte, v))).toEqual(comparable(packets));
      }),
      { numRuns: 60 },
    );
  });

  it('decodes any random chunking of a stream holding large packets into the same packets', () => {
    fc.assert(
      fc.property(
        stream(70_000).chain((s) => cutsOf(s.bytes.length).map((cuts) => ({ ...s, cuts }))),
        ({ packets, bytes, cuts }) => {
          expect(comparable(decodeChunked(bytes, cuts, v))).toEqual(comparable(packets));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('decodes chunks that are views into one larger buffer, at any offset', () => {
    fc.assert(
      fc.property(stream(600), fc.integer({ min: 1, max: 7 }), ({ packets, bytes }, size) => {
        // Cut into fixed-size views (no copies) of a buffer that has other bytes before the stream.
        const backing = new Uint8Array(bytes.length + 3);
        backing.set([0xff, 0xff, 0xff]);
        backing.set(bytes, 3);
        const decoder = new PacketDecoder({ protocolVersion: v });
        const out: Packet[] = [];
        for (let i = 0; i < bytes.length; i += size) {
          decoder.write(backing.subarray(3 + i, Math.min(3 + i + size, backing.length)), (p) => out.push(p));
        }
        expect(comparable(out)).toEqual(comparable(packets));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
