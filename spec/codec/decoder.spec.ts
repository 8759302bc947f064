import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { DecodeError, InvalidArgumentError } from '../../lib/errors.js';
import { bytes } from './packets/fixture-helpers.js';

const publish = (topic: string, size: number, packetId?: number): PublishPacket => ({
  type: 'publish', topic, payload: new Uint8Array(size).map((_, i) => i & 0xff), qos: packetId ? 1 : 0, retain: false, dup: false, packetId,
});

const STREAM: Packet[] = [
  publish('a/b', 10, 1),
  { type: 'pingreq' },
  publish('big', 10_000),
  { type: 'puback', packetId: 1, reasonCode: 0x10 },
  publish('c', 0),
];
const WIRE = new Uint8Array(STREAM.flatMap((p) => [...encode(p, { protocolVersion: 5 })]));

function collect(decoder: PacketDecoder, chunks: Uint8Array[]): Packet[] {
  const out: Packet[] = [];
  for (const c of chunks) decoder.write(c, (p) => out.push(p));
  return out;
}

function errorOf(f: () => void): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('PacketDecoder streaming', () => {
  it('decodes many packets in one chunk, in order', () => {
    expect(collect(new PacketDecoder({ protocolVersion: 5 }), [WIRE])).toEqual(STREAM);
  });

  it('decodes the same packets one byte at a time', () => {
    const decoder = new PacketDecoder({ protocolVersion: 5 });
    expect(collect(decoder, [...WIRE].map((b) => new Uint8Array([b])))).toEqual(STREAM);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it.each([2, 3, 7, 100, 4099])('decodes the same packets in chunks of %i bytes', (size) => {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < WIRE.length; i += size) chunks.push(WIRE.slice(i, i + size));
    expect(collect(new PacketDecoder({ protocolVersion: 5 }), chunks)).toEqual(STREAM);
  });

  it('buffers only the incomplete tail and reports it', () => {
    const decoder = new PacketDecoder({ protocolVersion: 5 });
    const seen: Packet[] = [];
    // the first two packets and 5 bytes of the third
    const cut = encode(STREAM[0], { protocolVersion: 5 }).length + 2 + 5;
    decoder.write(WIRE.subarray(0, cut), (p) => seen.push(p));
    expect(seen).toHaveLength(2);
    expect(decoder.bufferedBytes).toBe(5);
    decoder.write(WIRE.subarray(cut), (p) => seen.push(p));
    expect(seen).toEqual(STREAM);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes in place: a payload inside one chunk is a view of that chunk', () => {
    const chunk = new Uint8Array(WIRE);
    const [first] = collect(new PacketDecoder({ protocolVersion: 5 }), [chunk]) as PublishPacket[];
    expect(first.payload.buffer).toBe(chunk.buffer);
  });

  it('a packet assembled from several chunks keeps its own bytes while later packets arrive', () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const a = encode(publish('x', 50), { protocolVersion: 4 });
    const b = encode(publish('y', 50), { protocolVersion: 4 });
    const seen: Packet[] = [];
    decoder.write(a.subarray(0, 10), (p) => seen.push(p));
    decoder.write(new Uint8Array([...a.subarray(10), ...b.subarray(0, 10)]), (p) => seen.push(p));
    decoder.write(b.subarray(10), (p) => seen.push(p));
    expect(seen).toEqual([publish('x', 50), publish('y', 50)]);
  });

  it('counts the error offset from the first byte of the stream, across chunks', () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    decoder.write(bytes(0xc0, 0x00, 0xd0), () => undefined);
    // the PINGRESP at offset 2 gets a body byte; the leftover byte is at stream offset 4
    const e = errorOf(() => decoder.write(bytes(0x01, 0x00), () => undefined));
    expect({ code: e.code, offset: e.offset }).toEqual({ code: 'DECODE_TRAILING_BYTES', offset: 4 });
  });

  it('stays failed after an error: later writes throw the same error', () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const e = errorOf(() => decoder.write(bytes(0x00, 0x00), () => undefined));
    expect({ code: e.code, offset: e.offset }).toEqual({ code: 'DECODE_RESERVED_PACKET_TYPE', offset: 0 });
    expect(() => decoder.write(bytes(0xc0, 0x00), () => undefined)).toThrow(e);
  });

  it('passes an error thrown by the callback through, and then stays failed', () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const boom = new Error('boom');
    expect(() => decoder.write(bytes(0xc0, 0x00, 0xc0, 0x00), () => { throw boom; })).toThrow(boom);
    expect(() => decoder.write(bytes(0xc0, 0x00), () => undefined)).toThrow(boom);
  });

  it('uses the protocol version assigned after construction', () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const seen: Packet[] = [];
    decoder.write(bytes(0x40, 0x02, 0x00, 0x01), (p) => seen.push(p));
    decoder.protocolVersion = 5;
    decoder.write(bytes(0x40, 0x02, 0x00, 0x01), (p) => seen.push(p));
    expect(seen).toEqual([{ type: 'puback', packetId: 1 }, { type: 'puback', packetId: 1, reasonCode: 0 }]);
  });
});

describe('PacketDecoder maximum packet size', () => {
  it('rejects an oversized packet as soon as its fixed header is read, before any body byte', () => {
    const decoder = new PacketDecoder({ protocolVersion: 5, maximumPacketSize: 100 });
    decoder.write(bytes(0xc0, 0x00), () => undefined);
    // PUBLISH announcing 128 bytes: 0x30 0x80 0x01
    const e = errorOf(() => decoder.write(bytes(0x30, 0x80, 0x01), () => undefined));
    expect({ code: e.code, offset: e.offset, reasonCode: e.reasonCode }).toEqual({ code: 'DECODE_PACKET_TOO_LARGE', offset: 2, reasonCode: 0x95 });
  });

  it('rejects an oversized length while its bytes are still arriving', () => {
    const decoder = new PacketDecoder({ protocolVersion: 4, maximumPacketSize: 100 });
    decoder.write(bytes(0x30), () => undefined);
    // 0xff so far: at least 1 + 2 + 127 bytes
    const e = errorOf(() => decoder.write(bytes(0xff), () => undefined));
    expect(e.code).toBe('DECODE_PACKET_TOO_LARGE');
  });

  it('accepts a packet of exactly maximumPacketSize bytes', () => {
    const packet = publish('t', 95);
    const wire = encode(packet, { protocolVersion: 4 });
    expect(wire).toHaveLength(100);
    expect(collect(new PacketDecoder({ protocolVersion: 4, maximumPacketSize: 100 }), [wire])).toEqual([packet]);
  });

  it('does not allocate the announced size up front for a slow large packet', () => {
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    const before = process.memoryUsage().arrayBuffers;
    // a PUBLISH announcing 200 MB; only its first bytes arrive
    decoder.write(bytes(0x30, 0x80, 0x80, 0x80, 0x60, 0x00, 0x01, 'a'), () => undefined);
    expect(decoder.bufferedBytes).toBe(8);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });
});

describe('PacketDecoder arguments', () => {
  it('rejects invalid options and chunks with InvalidArgumentError', () => {
    expect(() => new PacketDecoder({ protocolVersion: 3 as never })).toThrow(InvalidArgumentError);
    expect(() => new PacketDecoder({ maximumPacketSize: 1 })).toThrow(InvalidArgumentError);
    expect(() => new PacketDecoder({ maximumPacketSize: 2.5 })).toThrow(InvalidArgumentError);
    const decoder = new PacketDecoder({ protocolVersion: 4 });
    expect(() => decoder.write('c000' as never, () => undefined)).toThrow(InvalidArgumentError);
  });

  it('rejects reserved packet type 0 in both versions and type 15 in 3.1.1', () => {
    for (const v of [4, 5] as const) {
      expect(errorOf(() => new PacketDecoder({ protocolVersion: v }).write(bytes(0x00, 0x00), () => undefined)).code).toBe('DECODE_RESERVED_PACKET_TYPE');
    }
    expect(errorOf(() => new PacketDecoder({ protocolVersion: 4 }).write(bytes(0xf0, 0x00), () => undefined)).code).toBe('DECODE_RESERVED_PACKET_TYPE');
  });
});
