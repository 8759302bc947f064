import { connect as tcpConnect, type Socket } from 'node:net';
import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import WebSocket from 'ws';
import { startBroker, type BrokerHandle, type ClientDisconnectedEvent } from '../../lib/broker/index';
import { PacketDecoder } from '../../lib/codec/decoder';
import { encode } from '../../lib/codec/encode';
import type { Packet, PublishPacket } from '../../lib/codec/packet';
import { uniqueId } from '../broker/mqttjs';
import { connected, subscribeBytes, withBystander } from '../broker/hostile';
import { RawClient } from '../broker/raw-client';

/**
 * A subscriber on a raw socket that stops reading after SUBACK (socket paused: the kernel buffers
 * and then the broker's socket buffer fill up) until `resume()`; it then acknowledges every QoS 1
 * PUBLISH and collects the payloads.
 */
class SlowSubscriber {
  readonly payloads: string[] = [];
  private readonly packets: Packet[] = [];
  private readonly decoder: PacketDecoder;
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    version: 4 | 5,
  ) {
    this.decoder = new PacketDecoder({ protocolVersion: version });
    socket.on('data', (chunk: Buffer) => {
      this.decoder.write(chunk, (p) => {
        this.packets.push(p);
        if (p.type === 'publish') {
          this.payloads.push(Buffer.from(p.payload).subarray(0, 8).toString());
          if (p.qos === 1) socket.write(encode({ type: 'puback', packetId: (p as PublishPacket).packetId as number }, { protocolVersion: version }));
        }
      });
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
    socket.on('error', () => undefined);
  }

  static async open(broker: BrokerHandle, version: 4 | 5, clientId: string, topic: string, qos: 0 | 1, pause = true): Promise<SlowSubscriber> {
    const socket = tcpConnect({ port: broker.port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    const sub = new SlowSubscriber(socket, version);
    socket.write(encode({ type: 'connect', protocolVersion: version, clientId, cleanStart: true, keepAlive: 0 }, { protocolVersion: version }));
    socket.write(Uint8Array.from(subscribeBytes(version, 1, [[topic, qos]])));
    await sub.until(() => sub.packets.some((p) => p.type === 'suback'));
    if (pause) socket.pause();
    return sub;
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  until(done: () => boolean, ms = 15000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; ${this.payloads.length} messages so far`)), ms);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

/** A 4000-byte payload whose first 8 bytes say its number. */
const payload = (n: number): Uint8Array => {
  const bytes = new Uint8Array(4000);
  bytes.set(Buffer.from(String(n).padStart(8, '0')));
  return bytes;
};

describe('a subscriber that does not read (outboundBudget 64 KiB, slowClientTimeout 300 ms)', () => {
  const s = withBystander({ port: 0, limits: { outboundBudget: 64 * 1024, slowClientTimeout: 300, maxQueuedMessages: 5000 } });

  it('drops and counts QoS 0 messages beyond the budget, then disconnects the client, alone', async () => {
    const clientId = uniqueId('slow0');
    const sub = await SlowSubscriber.open(s.broker, 5, clientId, 'slow/zero', 0);
    const drops = firstValueFrom(
      s.broker.events$.pipe(
        filter((e) => e.type === 'messagesDropped' && e.clientId === clientId),
        take(10),
        toArray(),
        timeout(5000),
      ),
    );
    const gone = firstValueFrom(
      s.broker.clientDisconnected$.pipe(
        filter((e: ClientDisconnectedEvent) => e.clientId === clientId),
        take(1),
        timeout(10000),
      ),
    );
    let closed = false;
    void gone.then(() => (closed = true));
    const before = s.broker.droppedMessages;
    // Publish in batches, letting the sockets run between them, until the broker gives up on the
    // client: first the kernel buffers fill, then the broker's budget, then QoS 0 is dropped.
    let published = 0;
    while (!closed && published < 50_000) {
      for (let n = 0; n < 200; n++) s.broker.publish('slow/zero', payload(published++));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await drops).every((e) => e.type === 'messagesDropped' && e.reason === 'slowClient' && e.count === 1)).toBe(true);
    expect(s.broker.droppedMessages - before).toBeGreaterThan(0);
    const event = await gone;
    expect(event.error).toMatchObject({ code: 'SLOW_CLIENT', reasonCode: 0x97 });
    sub.destroy();
  });

  it('keeps QoS 1 messages in the queue instead of the socket, and delivers every one once the client reads', async () => {
    const clientId = uniqueId('slow1');
    const sub = await SlowSubscriber.open(s.broker, 4, clientId, 'slow/one', 1);
    const before = s.broker.droppedMessages;
    const count = 2000;
    for (let n = 0; n < count; n++) s.broker.publish('slow/one', payload(n), { qos: 1 });
    expect(s.broker.droppedMessages).toBe(before);
    sub.resume();
    await sub.until(() => sub.payloads.length >= count);
    expect(sub.payloads).toEqual(Array.from({ length: count }, (_, n) => String(n).padStart(8, '0')));
    expect(s.broker.droppedMessages).toBe(before);
    sub.destroy();
  });
});

/** A raw 3.1.1 publisher that writes `count` QoS 1 PUBLISH frames at once and counts the PUBACKs. */
async function burstPublisher(broker: BrokerHandle, clientId: string, topic: string, count: number): Promise<Promise<number>> {
  const socket = tcpConnect({ port: broker.port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => undefined);
  const decoder = new PacketDecoder({ protocolVersion: 4 });
  let acks = 0;
  const done = new Promise<number>((resolve) => {
    socket.on('data', (chunk: Buffer) =>
      decoder.write(chunk, (p) => {
        if (p.type === 'puback' && ++acks === count) resolve(acks);
      }),
    );
  });
  socket.write(encode({ type: 'connect', protocolVersion: 4, clientId, cleanStart: true, keepAlive: 0 }, { protocolVersion: 4 }));
  const frames = Array.from({ length: count }, (_, i) =>
    encode({ type: 'publish', topic, payload: Buffer.from(`${clientId}:${i}`), qos: 1, packetId: i + 1, retain: false, dup: false }, { protocolVersion: 4 }),
  );
  socket.write(Buffer.concat(frames));
  return done.finally(() => socket.destroy());
}

describe('fan-in at QoS 1 through a small queue (maxQueuedMessages 20, maxInflight 8)', () => {
  const s = withBystander({ port: 0, limits: { maxQueuedMessages: 20, maxInflight: 8 } });

  it('holds publishers back instead of dropping: 30 publishers x 100 messages all reach one wildcard subscriber', async () => {
    const sub = await SlowSubscriber.open(s.broker, 4, uniqueId('fanin-sub'), 'fanin/#', 1, false);
    const before = s.broker.droppedMessages;
    const publishers = await Promise.all(Array.from({ length: 30 }, (_, p) => burstPublisher(s.broker, uniqueId(`fanin-pub${p}`), `fanin/${p}`, 100)));
    expect(await Promise.all(publishers)).toEqual(Array<number>(30).fill(100));
    await sub.until(() => sub.payloads.length >= 3000);
    expect(sub.payloads).toHaveLength(3000);
    expect(s.broker.droppedMessages).toBe(before);
    sub.destroy();
  });
});

describe('a WebSocket subscriber that does not read', () => {
  it('gets the same outbound budget: QoS 0 dropped and counted, then disconnected as slow', async () => {
    const broker = await startBroker({ port: 0, websocket: { port: 0 }, limits: { outboundBudget: 64 * 1024, slowClientTimeout: 300 } });
    const ws = new WebSocket(broker.wsUrl as string, 'mqtt');
    try {
      const clientId = uniqueId('ws-slow');
      let frames = 0;
      const subscribed = new Promise<void>((resolve) =>
        ws.on('message', () => {
          if (++frames === 2) resolve(); // CONNACK, SUBACK
        }),
      );
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(encode({ type: 'connect', protocolVersion: 5, clientId, cleanStart: true, keepAlive: 0 }, { protocolVersion: 5 }));
      ws.send(Uint8Array.from(subscribeBytes(5, 1, [['ws/slow', 0]])));
      await subscribed;
      ws.pause();
      const gone = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === clientId), take(1), timeout(10000)));
      let closed = false;
      void gone.then(() => (closed = true));
      let published = 0;
      while (!closed && published < 50_000) {
        for (let n = 0; n < 200; n++) broker.publish('ws/slow', payload(published++));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await gone).error).toMatchObject({ code: 'SLOW_CLIENT' });
      expect(broker.droppedMessages).toBeGreaterThan(0);
    } finally {
      ws.terminate();
      await broker.close();
    }
  });
});

describe('a publisher held back for longer than slowClientTimeout (300 ms; maxQueuedMessages 3, maxInflight 2)', () => {
  const s = withBystander({ port: 0, limits: { maxQueuedMessages: 3, maxInflight: 2, slowClientTimeout: 300 } });

  it.each([
    [5, 0x97],
    [4, 0],
  ] as const)('answers the message that finds the queue still full on protocol %i with PUBACK %i', async (version, code) => {
    const topic = `held/${version}`;
    // Subscribed, then not reading: its two in-flight messages are never acknowledged.
    const sub = await SlowSubscriber.open(s.broker, 4, uniqueId('held-sub'), topic, 1);
    const pub = await connected(s.broker, version);
    const before = s.broker.droppedMessages;
    for (let id = 1; id <= 6; id++) pub.send({ type: 'publish', topic, payload: payload(id), qos: 1, packetId: id, retain: false, dup: false }, version);
    const acks = (await pub.packets(7, version, 10000)).slice(1);
    // 2 in flight + 3 queued are taken at once; the 6th waits for room that does not come.
    expect(acks.map((a) => [a.type, (a as { packetId: number }).packetId, (a as { reasonCode?: number }).reasonCode ?? 0])).toEqual([
      ['puback', 1, 0],
      ['puback', 2, 0],
      ['puback', 3, 0],
      ['puback', 4, 0],
      ['puback', 5, 0],
      ['puback', 6, code],
    ]);
    // 5.0: not routed, the publisher knows. 3.1.1: routed and dropped by the full session, counted.
    expect(s.broker.droppedMessages - before).toBe(version === 5 ? 0 : 1);
    sub.destroy();
    pub.destroy();
  });
});

describe('a held publisher whose keep alive is shorter than the hold (keep alive 1 s, slowClientTimeout 3 s)', () => {
  const s = withBystander({ port: 0, limits: { maxQueuedMessages: 3, maxInflight: 2, slowClientTimeout: 3000 } });

  it.each([4, 5] as const)('is not read while held, so it is not closed for silence; its keep alive runs again after (protocol %i)', async (version) => {
    const topic = `held-ka/${version}`;
    const sub = await SlowSubscriber.open(s.broker, 4, uniqueId('held-ka-sub'), topic, 1);
    const pub = await RawClient.open(s.broker.port);
    pub.send({ type: 'connect', protocolVersion: version, clientId: uniqueId('held-ka-pub'), cleanStart: true, keepAlive: 1 }, version);
    await pub.packets(1, version);
    // 2 in flight + 3 queued; the 6th is held for 3 s, twice the 1.5 s the keep alive allows for silence.
    for (let id = 1; id <= 6; id++) pub.send({ type: 'publish', topic, payload: payload(id), qos: 1, packetId: id, retain: false, dup: false }, version);
    const acks = (await pub.packets(7, version, 10000)).slice(1);
    expect(acks.map((a) => [a.type, (a as { packetId: number }).packetId])).toEqual([1, 2, 3, 4, 5, 6].map((id) => ['puback', id]));
    expect(pub.isOpen).toBe(true);
    // Silent from now on: the keep alive, re-armed at the resume, closes it within 1.5 s.
    await pub.waitClosed(5000);
    sub.destroy();
  });
});
