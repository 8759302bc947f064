import fc from 'fast-check';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet, ProtocolVersion } from '../../lib/codec/packet.js';
import { arbitraryPacket, comparable, packetArbitraries, packetTypes } from './arbitraries.js';

/** Decodes a whole buffer with a fresh decoder and checks that nothing is left over. */
function decodeAll(bytes: Uint8Array, protocolVersion: ProtocolVersion | undefined): Packet[] {
  const decoder = new PacketDecoder({ protocolVersion });
  const out: Packet[] = [];
  decoder.write(bytes, (p) => out.push(p));
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

const RUNS = 250;
/** PUBLISH is the hot path and has the most shapes: give it more runs. */
const runsFor = (type: string) => (type === 'publish' ? 1000 : RUNS);

describe.each([4, 5] as const)('codec round trip, protocol version %i', (v) => {
  it.each(packetTypes(v))('decode(encode(p)) equals p for every valid %s', (type) => {
    fc.assert(
      fc.property(packetArbitraries[type](v) as fc.Arbitrary<Packet>, (packet) => {
        const bytes = encode(packet, { protocolVersion: v });
        const decoded = decodeAll(bytes, v);
        expect(comparable(decoded)).toEqual(comparable([packet]));
        // Encoding is deterministic: the decoded packet encodes to the very same bytes.
        expect(comparable(encode(decoded[0], { protocolVersion: v }))).toEqual(comparable(bytes));
      }),
      { numRuns: runsFor(type) },
    );
  });

  it('a server decoder (no version given) adopts the version of CONNECT and decodes what follows', () => {
    fc.assert(
      fc.property(packetArbitraries.connect(v), fc.array(arbitraryPacket(v, 200).filter((p) => p.type !== 'connect'), { maxLength: 5 }), (connect, rest) => {
        const parts = [connect, ...rest].map((p) => encode(p, { protocolVersion: v }));
        const stream = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
        let at = 0;
        for (const b of parts) { stream.set(b, at); at += b.length; }
        expect(comparable(decodeAll(stream, undefined))).toEqual(comparable([connect, ...rest]));
      }),
      { numRuns: 100 },
    );
  });

  it('the encoded length matches the fixed header: 1 byte + remaining length bytes + remaining length', () => {
    fc.assert(
      fc.property(arbitraryPacket(v), (packet) => {
        const bytes = encode(packet, { protocolVersion: v });
        let remaining = 0;
        let i = 1;
        for (let shift = 0; ; shift += 7) {
          const b = bytes[i++];
          remaining += (b & 0x7f) * 2 ** shift;
          if ((b & 0x80) === 0) break;
        }
        expect(bytes.length).toBe(i + remaining);
      }),
      { numRuns: RUNS },
    );
  });
});
