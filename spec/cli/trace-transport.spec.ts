import { firstValueFrom, toArray } from 'rxjs';
import { traceTransport, type TraceDirection } from '../../lib/cli/trace-transport';
import { encode } from '../../lib/codec/encode';
import type { Packet } from '../../lib/codec/packet';
import { memoryTransportFactory, type MemoryTransport } from '../../lib/transport/memory-transport';

describe('traceTransport', () => {
  it('reports every packet sent and received, and passes the bytes through unchanged', async () => {
    let server!: MemoryTransport;
    const factory = memoryTransportFactory((s) => (server = s));
    const seen: [TraceDirection, Packet['type']][] = [];
    const transport = await firstValueFrom(traceTransport(factory, 4, (direction, packet) => seen.push([direction, packet.type]))());
    const atServer = firstValueFrom(server.incoming.pipe(toArray()));
    const atClient = firstValueFrom(transport.incoming.pipe(toArray()));

    const connect = encode({ type: 'connect', protocolVersion: 4, clientId: 'c', cleanStart: true, keepAlive: 0 }, { protocolVersion: 4 });
    const subscribe = encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] }, { protocolVersion: 4 });
    transport.send(connect);
    transport.send(subscribe);
    const connack = encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, { protocolVersion: 4 });
    const suback = encode({ type: 'suback', packetId: 1, reasonCodes: [1] }, { protocolVersion: 4 });
    // Both in one chunk: the trace frames packets like the client does.
    server.send(Uint8Array.from([...connack, ...suback]));
    // Bytes already in flight are delivered before the end.
    transport.close();

    expect(await atServer).toEqual([connect, subscribe]);
    expect(await atClient).toEqual([Uint8Array.from([...connack, ...suback])]);
    expect(seen).toEqual([
      ['sent', 'connect'],
      ['sent', 'subscribe'],
      ['received', 'connack'],
      ['received', 'suback'],
    ]);
  });

  it('stops tracing bytes it cannot decode without touching the connection', async () => {
    let server!: MemoryTransport;
    const seen: Packet['type'][] = [];
    const transport = await firstValueFrom(traceTransport(memoryTransportFactory((s) => (server = s)), 4, (_, packet) => seen.push(packet.type))());
    const atClient = firstValueFrom(transport.incoming.pipe(toArray()));
    server.send(Uint8Array.of(0xf0, 0x00)); // not a packet of MQTT 3.1.1
    server.send(Uint8Array.of(0xd0, 0x00)); // PINGRESP, after the garbage: no longer traced
    server.close();
    expect(await atClient).toEqual([Uint8Array.of(0xf0, 0x00), Uint8Array.of(0xd0, 0x00)]);
    expect(seen).toEqual([]);
  });
});
