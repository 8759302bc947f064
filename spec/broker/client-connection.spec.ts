import { encode } from '../../lib/codec/encode';
import { PacketDecoder } from '../../lib/codec/decoder';
import type { Packet } from '../../lib/codec/packet';
import { memoryTransportPair, type MemoryTransport } from '../../lib/transport/memory-transport';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import type { Transport } from '../../lib/transport/transport';

/** A scripted client on an in-memory transport: records decoded packets, sends packet objects. */
class Peer {
  readonly packets: Packet[] = [];
  ended = false;
  private readonly decoder: PacketDecoder;
  private wake: () => void = () => undefined;
  constructor(
    readonly transport: MemoryTransport,
    readonly version: 4 | 5,
  ) {
    this.decoder = new PacketDecoder({ protocolVersion: version });
    transport.incoming.subscribe({
      next: (chunk) => this.decoder.write(chunk, (p) => (this.packets.push(p), this.wake())),
      complete: () => ((this.ended = true), this.wake()),
      error: () => ((this.ended = true), this.wake()),
    });
  }
  send(packet: Packet): void {
    this.transport.send(encode(packet, { protocolVersion: this.version }));
  }
  /** Waits until `count` packets arrived (or the connection ended) and returns them all. */
  async received(count: number): Promise<Packet[]> {
    while (this.packets.length < count && !this.ended) await new Promise<void>((r) => (this.wake = r));
    return this.packets;
  }
  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((r) => (this.wake = r));
  }
}

function connectPacket(version: 4 | 5, clientId: string, cleanStart = true, extra: object = {}): Packet {
  return { type: 'connect', protocolVersion: version, clientId, cleanStart, keepAlive: 0, ...extra };
}

describe('ClientConnection (in-memory, exact packets)', () => {
  let broker: BrokerHandle;
  beforeEach(async () => {
    broker = await startBroker({ port: 0 });
  });
  afterEach(() => broker.close());

  function peer(version: 4 | 5): Peer {
    const [client, server] = memoryTransportPair();
    const p = new Peer(client, version);
    broker.accept(server);
    return p;
  }

  it('answers an MQTT 5 CONNECT with the broker capabilities', async () => {
    const c = peer(5);
    c.send(connectPacket(5, 'caps'));
    const [connack] = await c.received(1);
    expect(connack).toEqual({
      type: 'connack',
      sessionPresent: false,
      reasonCode: 0,
      properties: {
        receiveMaximum: 65535,
        maximumPacketSize: 1024 * 1024,
        topicAliasMaximum: 64,
        retainAvailable: true,
        wildcardSubscriptionAvailable: true,
        subscriptionIdentifiersAvailable: true,
        sharedSubscriptionAvailable: true,
      },
    });
  });

  it('sends DISCONNECT 0x8E to a 5.0 connection that is taken over, then closes it', async () => {
    const first = peer(5);
    first.send(connectPacket(5, 'same', false, { properties: { sessionExpiryInterval: 60 } }));
    await first.received(1);
    const second = peer(5);
    second.send(connectPacket(5, 'same', false, { properties: { sessionExpiryInterval: 60 } }));
    await first.closed();
    expect(first.packets.map((p) => [p.type, 'reasonCode' in p ? p.reasonCode : undefined])).toEqual([
      ['connack', 0],
      ['disconnect', 0x8e],
    ]);
    expect((await second.received(1))[0]).toMatchObject({ type: 'connack', sessionPresent: true });
  });

  it('resends an unacknowledged QoS 1 PUBLISH with DUP and the same packet id on resume [MQTT-4.4.0-1]', async () => {
    const a = peer(4);
    a.send(connectPacket(4, 'dup', false));
    await a.received(1);
    a.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'd', qos: 1 }] });
    await a.received(2);
    broker.publish('d', 'x', { qos: 1 });
    const first = (await a.received(3))[2];
    expect(first).toMatchObject({ type: 'publish', topic: 'd', qos: 1, dup: false });
    a.transport.close();
    await a.closed();
    const b = peer(4);
    b.send(connectPacket(4, 'dup', false));
    const packets = await b.received(2);
    expect(packets[0]).toMatchObject({ type: 'connack', sessionPresent: true });
    expect(packets[1]).toMatchObject({ type: 'publish', topic: 'd', qos: 1, dup: true, packetId: (first as { packetId: number }).packetId });
  });

  it('runs the outbound QoS 2 flow: PUBLISH, PUBREC -> PUBREL, PUBCOMP', async () => {
    const c = peer(4);
    c.send(connectPacket(4, 'q2'));
    c.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'q2', qos: 2 }] });
    await c.received(2);
    broker.publish('q2', 'x', { qos: 2 });
    const publish = (await c.received(3))[2] as { packetId: number };
    c.send({ type: 'pubrec', packetId: publish.packetId });
    expect((await c.received(4))[3]).toMatchObject({ type: 'pubrel', packetId: publish.packetId });
    c.send({ type: 'pubcomp', packetId: publish.packetId });
    c.send({ type: 'pingreq' });
    expect((await c.received(5))[4]).toEqual({ type: 'pingresp' });
  });

  it('answers UNSUBSCRIBE with 0x11 for a filter that had no subscription (5.0)', async () => {
    const c = peer(5);
    c.send(connectPacket(5, 'unsub'));
    c.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'u/+', qos: 0 }] });
    c.send({ type: 'unsubscribe', packetId: 2, topicFilters: ['u/+', 'never'] });
    const packets = await c.received(3);
    expect(packets[2]).toMatchObject({ type: 'unsuback', packetId: 2, reasonCodes: [0x00, 0x11] });
  });

  it('refuses a shared subscription with No Local as a protocol error [MQTT-3.8.3-4]', async () => {
    const c = peer(5);
    c.send(connectPacket(5, 'share-nl'));
    // SUBSCRIBE id 1, no properties, '$share/g/t' with options 0x04 (No Local): hand-made, the encoder refuses it.
    c.transport.send(Uint8Array.of(0x82, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0a, ...new TextEncoder().encode('$share/g/t'), 0x04));
    await c.closed();
    expect(c.packets[1]).toMatchObject({ type: 'disconnect', reasonCode: 0x82 });
  });

  it('sends DISCONNECT 0x8B to 5.0 clients when the broker closes', async () => {
    const c = peer(5);
    c.send(connectPacket(5, 'bye'));
    await c.received(1);
    await broker.close();
    await c.closed();
    expect(c.packets[1]).toMatchObject({ type: 'disconnect', reasonCode: 0x8b });
    expect(() => broker.accept(memoryTransportPair()[1])).toThrow(/closed/);
  });
});

describe('ClientConnection holding a publisher back (in-memory; maxQueuedMessages 2, maxInflight 1)', () => {
  let broker: BrokerHandle;
  beforeEach(async () => {
    broker = await startBroker({ port: 0, limits: { maxQueuedMessages: 2, maxInflight: 1, slowClientTimeout: 20_000 } });
  });
  afterEach(() => broker.close());

  /** A peer whose broker-side transport records pause() and resume(). */
  function recordedPeer(version: 4 | 5): { readonly peer: Peer; readonly calls: string[]; readonly paused: Promise<void> } {
    const [client, server] = memoryTransportPair();
    const calls: string[] = [];
    let onPause: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (onPause = resolve));
    const recorded: Transport = {
      ...server,
      pause: () => {
        calls.push('pause');
        server.pause();
        onPause();
      },
      resume: () => {
        calls.push('resume');
        server.resume();
      },
    };
    const peer = new Peer(client, version);
    broker.accept(recorded);
    return { peer, calls, paused };
  }

  it.each([4, 5] as const)('stops reading the publisher while the target session is full and resumes once it has room (protocol %i)', async (version) => {
    const sub = peer4();
    sub.send(connectPacket(4, `full-sub-${version}`));
    sub.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'held', qos: 1 }] });
    await sub.received(2);
    const { peer: pub, calls, paused } = recordedPeer(version);
    pub.send(connectPacket(version, `held-pub-${version}`));
    await pub.received(1);
    // 1 goes in flight, 2 and 3 fill the queue, 4 finds it full: the publisher is held.
    for (let id = 1; id <= 4; id++) pub.send({ type: 'publish', topic: 'held', payload: Uint8Array.of(id), qos: 1, packetId: id, retain: false, dup: false });
    await paused;
    pub.send({ type: 'pingreq' });
    const acked = await pub.received(4);
    expect(acked.slice(1).map((p) => (p as { packetId: number }).packetId)).toEqual([1, 2, 3]);
    expect(calls).toEqual(['pause']);
    // The subscriber acknowledges the message in flight: the queue has room, the hold ends.
    const first = (await sub.received(3))[2] as { packetId: number };
    sub.send({ type: 'puback', packetId: first.packetId });
    const after = await pub.received(6);
    expect(after.slice(4)).toMatchObject([{ type: 'puback', packetId: 4 }, { type: 'pingresp' }]);
    expect(calls).toEqual(['pause', 'resume']);
  });

  function peer4(): Peer {
    const [client, server] = memoryTransportPair();
    const p = new Peer(client, 4);
    broker.accept(server);
    return p;
  }
});
