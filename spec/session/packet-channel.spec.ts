import { encode } from '../../lib/codec/encode.js';
import type { Packet } from '../../lib/codec/packet.js';
import { Observable, Subject, take } from 'rxjs';
import { DecodeError, EncodeError } from '../../lib/errors.js';
import type { Transport } from '../../lib/transport/transport.js';
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

  it('goes through the client packet table: a client-only packet from the server arrives as its type alone, a server-only one cannot be sent', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 4 });
    const received: Packet[] = [];
    channel.packets.subscribe({ next: (p) => received.push(p), error: () => undefined });
    const onServer: Uint8Array[] = [];
    server.incoming.subscribe((b) => onServer.push(b));
    server.send(encode({ type: 'subscribe', packetId: 3, subscriptions: [{ topicFilter: 'a/#', qos: 1 }] }, { protocolVersion: 4 }));
    server.send(encode({ type: 'suback', packetId: 3, reasonCodes: [1] }, { protocolVersion: 4 }));
    expect(received).toEqual([{ type: 'subscribe' }, { type: 'suback', packetId: 3, reasonCodes: [1] }]);
    expect(() => channel.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })).toThrow(EncodeError);
    expect(onServer).toEqual([]);
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

describe('PacketChannel writable$', () => {
  /** A transport whose buffer is "full" on demand and that drains when told to. */
  function drainingTransport(): { transport: Transport; drain: () => void; full: { value: boolean }; end: () => void; drainListeners: () => number } {
    const drained = new Subject<void>();
    const incoming = new Subject<Uint8Array>();
    const full = { value: false };
    let listeners = 0;
    const writable$ = new Observable<void>((subscriber) => {
      listeners++;
      const inner = drained.subscribe(subscriber);
      return () => {
        listeners--;
        inner.unsubscribe();
      };
    });
    const transport: Transport = { incoming, send: () => !full.value, writable$, close: () => incoming.complete() };
    return { transport, drain: () => drained.next(), full, end: () => incoming.complete(), drainListeners: () => listeners };
  }

  it('tells every waiting sender once per drain, through one listener on the transport', () => {
    const { transport, drain, full, drainListeners } = drainingTransport();
    const channel = new PacketChannel(transport, { protocolVersion: 4 });
    full.value = true;
    const woken: number[] = [];
    for (let i = 0; i < 300; i++) {
      expect(channel.send({ type: 'pingreq' })).toBe(false);
      channel.writable$.pipe(take(1)).subscribe(() => woken.push(i));
    }
    let drains = 0;
    channel.writable$.subscribe(() => drains++); // stays for every drain
    expect(drainListeners()).toBe(1);
    drain();
    expect(woken).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(drains).toBe(1);
    // A sender that starts waiting while the drain is being told waits for the next one.
    let late = 0;
    channel.writable$.pipe(take(1)).subscribe(() => channel.writable$.pipe(take(1)).subscribe(() => late++));
    drain();
    expect(late).toBe(0);
    drain();
    expect([late, drains]).toEqual([1, 3]);
  });

  it('emits once more when the channel ends (nothing will drain), then lets go of the transport', () => {
    const { transport, end, drainListeners } = drainingTransport();
    const channel = new PacketChannel(transport, { protocolVersion: 4 });
    let woken = 0;
    channel.writable$.subscribe(() => woken++);
    end();
    expect(woken).toBe(1);
    expect(drainListeners()).toBe(0);
  });

  it('emits on close too', () => {
    const { transport, drainListeners } = drainingTransport();
    const channel = new PacketChannel(transport, { protocolVersion: 4 });
    let woken = 0;
    channel.writable$.subscribe(() => woken++);
    channel.close();
    expect(woken).toBe(1);
    expect(drainListeners()).toBe(0);
  });

  it('sends with the maximum packet size set last, and reports it back', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 5 });
    const onServer: Uint8Array[] = [];
    server.incoming.subscribe((b) => onServer.push(b));
    const publish: Packet = { type: 'publish', topic: 't', payload: new Uint8Array(20), qos: 0, retain: false, dup: false };
    channel.outgoingMaximumPacketSize = 10;
    expect(channel.outgoingMaximumPacketSize).toBe(10);
    expect(() => channel.send(publish)).toThrow(EncodeError);
    channel.outgoingMaximumPacketSize = undefined;
    channel.send(publish);
    expect(onServer.length).toBe(1);
  });

  it('hands packets to the observers present when each was decoded, and completes late subscribers', () => {
    const [client, server] = memoryTransportPair(sync);
    const channel = new PacketChannel(client, { protocolVersion: 4 });
    const first: string[] = [];
    const second: string[] = [];
    channel.packets.subscribe((p) => {
      first.push(p.type);
      if (second.length === 0 && first.length === 1) channel.packets.subscribe((q) => second.push(q.type));
    });
    server.send(encode({ type: 'pingresp' }, { protocolVersion: 4 }));
    server.send(encode({ type: 'puback', packetId: 1 }, { protocolVersion: 4 }));
    expect(first).toEqual(['pingresp', 'puback']);
    expect(second).toEqual(['puback']);
    server.close();
    let completed = false;
    channel.packets.subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });
});
