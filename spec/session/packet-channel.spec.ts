import { encode } from '../../lib/codec/encode.js';
import type { Packet } from '../../lib/codec/packet.js';
import { DecodeError, EncodeError } from '../../lib/errors.js';
import { PacketChannel } from '../../lib/session/packet-channel.js';
import { memoryTransportPair } from '../../lib/transport/memory-transport.js';

const sync = { scheduler: (task: () => void) => task() };

describe('PacketChannel', () => {
  it('decodes what arrives, in any chunking, and reports what it sends', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 4 });
    const received: Packet[] = [];
    const sent: Packet[] = [];
    channel.packets.subscribe((p) => received.push(p));
    channel.sent.subscribe((p) => sent.push(p));
    const bytes = new Uint8Array([...encode({ type: 'pingresp' }, { protocolVersion: 4 }), ...encode({ type: 'puback', packetId: 7 }, { protocolVersion: 4 })]);
    for (const byte of bytes) server.send(Uint8Array.of(byte));
    expect(received.map((p) => p.type)).toEqual(['pingresp', 'puback']);
    const onServer: Uint8Array[] = [];
    server.incoming.subscribe((b) => onServer.push(b));
    channel.send({ type: 'pingreq' });
    expect(onServer).toEqual([Uint8Array.of(0xc0, 0x00)]);
    expect(sent).toEqual([{ type: 'pingreq' }]);
  });

  it("throws EncodeError and writes nothing when a packet exceeds the server's maximum", () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 5 });
    const onServer: Uint8Array[] = [];
    server.incoming.subscribe((b) => onServer.push(b));
    channel.outgoingMaximumPacketSize = 10;
    const big: Packet = { type: 'publish', topic: 't', payload: new Uint8Array(20), qos: 0, retain: false, dup: false };
    expect(() => channel.send(big)).toThrow(EncodeError);
    expect(onServer).toEqual([]);
  });

  it('errors packets with DecodeError on malformed bytes and closes the transport', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 4 });
    let error: unknown;
    channel.packets.subscribe({ error: (e) => (error = e) });
    server.send(Uint8Array.of(0x00, 0x00));
    expect(error).toBeInstanceOf(DecodeError);
    expect(channel.isClosed).toBe(true);
    expect(client.closed).toBe(true);
  });

  it('completes packets when the peer closes, and ignores sends afterwards', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 4 });
    let completed = false;
    channel.packets.subscribe({ complete: () => (completed = true) });
    server.close();
    expect(completed).toBe(true);
    expect(() => channel.send({ type: 'pingreq' })).not.toThrow();
  });
});

describe('PacketChannel and the shared decode path', () => {
  it('errors packets with DECODE_TRUNCATED when the transport ends inside a packet, like decodePackets', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 4 });
    const received: Packet[] = [];
    let error: unknown;
    channel.packets.subscribe({ next: (p) => received.push(p), error: (e) => (error = e) });
    const puback = encode({ type: 'puback', packetId: 7 }, { protocolVersion: 4 });
    server.send(Uint8Array.of(0xd0, 0x00, ...puback.subarray(0, 3))); // PINGRESP, then 3 of PUBACK's 4 bytes
    server.close();
    expect(received).toEqual([{ type: 'pingresp' }]);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe('DECODE_TRUNCATED');
    expect(channel.isClosed).toBe(true);
  });

  it('refuses a packet above maximumPacketSize from its fixed header, before the body arrives', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 4, maximumPacketSize: 1024 });
    let error: unknown;
    channel.packets.subscribe({ error: (e) => (error = e) });
    server.send(Uint8Array.of(0x30, 0x81, 0x08)); // PUBLISH, Remaining Length 1025: nothing of the body yet
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe('DECODE_PACKET_TOO_LARGE');
    expect(client.closed).toBe(true);
  });
});
