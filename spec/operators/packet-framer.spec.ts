import { encode } from '../../lib/codec/encode.js';
import type { Packet } from '../../lib/codec/packet.js';
import { DecodeError } from '../../lib/errors.js';
import { decodeOnePacket, PacketFramer } from '../../lib/operators/packet-framer.js';

const puback = encode({ type: 'puback', packetId: 7 }, { protocolVersion: 4 }); // 40 02 00 07
const pingresp = Uint8Array.of(0xd0, 0x00);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as DecodeError).code;
  }
  return undefined;
}

describe('PacketFramer', () => {
  it('frames packets across any chunking and ends cleanly on a packet boundary', () => {
    const framer = new PacketFramer({ protocolVersion: 4 });
    const packets: Packet[] = [];
    const bytes = Uint8Array.of(...puback, ...pingresp);
    for (const byte of bytes) framer.write(Uint8Array.of(byte), (p) => packets.push(p));
    expect(packets).toEqual([{ type: 'puback', packetId: 7 }, { type: 'pingresp' }]);
    expect(framer.bufferedBytes).toBe(0);
    expect(() => framer.end()).not.toThrow();
  });

  it('end() throws DECODE_TRUNCATED inside a packet and inside a fixed header, with the stream offset', () => {
    const inBody = new PacketFramer({ protocolVersion: 4 });
    inBody.write(Uint8Array.of(...pingresp, ...puback.subarray(0, 3)), () => undefined);
    expect(codeOf(() => inBody.end())).toBe('DECODE_TRUNCATED');
    let error: DecodeError | undefined;
    try {
      inBody.end();
    } catch (e) {
      error = e as DecodeError;
    }
    expect(error?.offset).toBe(5);
    const inHeader = new PacketFramer({ protocolVersion: 4 });
    inHeader.write(Uint8Array.of(0x30, 0x80), () => undefined); // the length continues
    expect(codeOf(() => inHeader.end())).toBe('DECODE_TRUNCATED');
  });

  it('refuses a packet above the maximum as soon as its fixed header is read', () => {
    const framer = new PacketFramer({ protocolVersion: 4, maximumPacketSize: 100 });
    expect(codeOf(() => framer.write(Uint8Array.of(0x30, 0xe4, 0x00), () => undefined))).toBe('DECODE_PACKET_TOO_LARGE'); // 100 + 3
    expect(framer.bufferedBytes).toBe(0);
  });

  it('adopts the protocol version of CONNECT when none is given (a server)', () => {
    const framer = new PacketFramer();
    const connect = encode({ type: 'connect', protocolVersion: 5, clientId: 'c', cleanStart: true, keepAlive: 0 }, { protocolVersion: 5 });
    framer.write(connect, () => undefined);
    expect(framer.protocolVersion).toBe(5);
  });
});

describe('decodeOnePacket', () => {
  it('decodes exactly one whole packet', () => {
    expect(decodeOnePacket(puback, { protocolVersion: 4 })).toEqual({ type: 'puback', packetId: 7 });
  });

  it('throws DECODE_TRUNCATED for part of a packet or nothing, DECODE_TRAILING_BYTES for more than one', () => {
    expect(codeOf(() => decodeOnePacket(puback.subarray(0, 3), { protocolVersion: 4 }))).toBe('DECODE_TRUNCATED');
    expect(codeOf(() => decodeOnePacket(new Uint8Array(0), { protocolVersion: 4 }))).toBe('DECODE_TRUNCATED');
    expect(codeOf(() => decodeOnePacket(Uint8Array.of(...puback, ...pingresp), { protocolVersion: 4 }))).toBe('DECODE_TRAILING_BYTES');
    expect(codeOf(() => decodeOnePacket(Uint8Array.of(0x00, 0x00), { protocolVersion: 4 }))).toBe('DECODE_RESERVED_PACKET_TYPE');
  });
});
