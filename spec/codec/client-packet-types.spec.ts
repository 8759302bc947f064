import fc from 'fast-check';
import { CLIENT_DECODERS, CLIENT_ENCODERS } from '../../lib/codec/client-packet-types.js';
import { encode, encodeWith } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import { FrameDecoder } from '../../lib/codec/frame-decoder.js';
import type { Packet, PacketType, ProtocolVersion } from '../../lib/codec/packet.js';
import { PACKET_TYPES } from '../../lib/codec/packet-types.js';
import { DecodeError, EncodeError } from '../../lib/errors.js';
import { packetArbitraries, packetTypes } from './arbitraries.js';

const SERVER_SENDS: PacketType[] = ['connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback', 'pingresp', 'disconnect', 'auth'];
const CLIENT_SENDS: PacketType[] = ['connect', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect', 'auth'];

function decodeWith(decoder: { write(chunk: Uint8Array, onPacket: (p: Packet) => void): void }, bytes: Uint8Array): Packet[] {
  const out: Packet[] = [];
  decoder.write(bytes, (p) => out.push(p));
  return out;
}

describe.each([4, 5] as ProtocolVersion[])('client packet tables, MQTT %s', (v) => {
  const allowed = new Set(packetTypes(v));

  it('decode what a server sends exactly as the full table does', () => {
    for (const type of SERVER_SENDS.filter((t) => allowed.has(t))) {
      fc.assert(
        fc.property(packetArbitraries[type](v), (packet) => {
          const wire = encode(packet as Packet, { protocolVersion: v });
          expect(decodeWith(new FrameDecoder({ protocolVersion: v }, CLIENT_DECODERS), wire)).toEqual(decodeWith(new PacketDecoder({ protocolVersion: v }), wire));
        }),
        { numRuns: 30 },
      );
    }
  });

  it('encode what a client sends to the same bytes as encode()', () => {
    for (const type of CLIENT_SENDS.filter((t) => allowed.has(t))) {
      fc.assert(
        fc.property(packetArbitraries[type](v), (packet) => {
          const p = (type === 'connect' ? { ...packet, protocolVersion: v } : packet) as Packet;
          expect(encodeWith(CLIENT_ENCODERS, p, { protocolVersion: v })).toEqual(encode(p, { protocolVersion: v }));
        }),
        { numRuns: 30 },
      );
    }
  });

  it('frame a packet only a client sends, with its fixed header checked, and hand on its type only', () => {
    const wire = encode({ type: 'subscribe', packetId: 7, subscriptions: [{ topicFilter: 'a/#', qos: 1 }] }, { protocolVersion: v });
    const ping = encode({ type: 'pingresp' }, { protocolVersion: v });
    const both = new Uint8Array([...wire, ...ping]);
    expect(decodeWith(new FrameDecoder({ protocolVersion: v }, CLIENT_DECODERS), both)).toEqual([{ type: 'subscribe' }, { type: 'pingresp' }]);
    const badFlags = Uint8Array.from(wire);
    badFlags[0] = 0x80; // SUBSCRIBE must carry flags 0b0010 [MQTT-3.8.1-1]
    expect(() => decodeWith(new FrameDecoder({ protocolVersion: v }, CLIENT_DECODERS), badFlags)).toThrow(DecodeError);
  });

  it('refuse to encode a packet only a server sends', () => {
    expect(() => encodeWith(CLIENT_ENCODERS, { type: 'pingresp' }, { protocolVersion: v })).toThrow(EncodeError);
  });
});

it('the client decode table has the rows (codes, names, flags) of the full one', () => {
  expect(CLIENT_DECODERS.map((e) => e && [e.code, e.type, e.flags, e.v5Only])).toEqual(PACKET_TYPES.map((e) => e && [e.code, e.type, e.flags, e.v5Only]));
});
