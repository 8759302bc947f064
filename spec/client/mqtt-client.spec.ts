import { filter, firstValueFrom, lastValueFrom, Subject, take, toArray, type Observable, type Subscription } from 'rxjs';
import type { PublishPacket } from '../../lib/codec/packet.js';
import type { ClientStats, PacketTraceEvent } from '../../lib/client/client-stats.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import type { MqttMessage } from '../../lib/client/mqtt-message.js';
import { ConnectionClosedError, DecodeError, InvalidArgumentError, PublishFailedError, SubscribeRefusedError } from '../../lib/errors.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';
import type { ScriptedPeer } from '../helpers/scripted-peer.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const publish = (topic: string, payload: string, extra: Partial<PublishPacket> = {}): PublishPacket => ({
  type: 'publish',
  topic,
  payload: bytes(payload),
  qos: 0,
  retain: false,
  dup: false,
  ...extra,
});

/** The first `count` values of `source`, subscribed now. */
function firstN<T>(source: Observable<T>, count: number): Promise<T[]> {
  return firstValueFrom(source.pipe(take(count), toArray()));
}

/** Collects into `into` and resolves when it holds `count` values (subscribed now). */
function collectInto<T>(source: Observable<T>, into: T[], count: number): { done: Promise<void>; subscription: Subscription } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const subscription = source.subscribe((v) => {
    into.push(v);
    if (into.length === count) resolve();
  });
  return { done, subscription };
}

/**
 * Proves the client sent nothing else meanwhile: a QoS 1 publish must be the next packet the server
 * sees (packets arrive in order). It is acknowledged, so it leaves nothing in flight.
 */
async function barrier(client: MqttClient, server: ScriptedPeer): Promise<void> {
  const done = client.publishAsync('barrier', '', { qos: 1 });
  const packet = await server.expect('publish');
  expect(packet.topic).toBe('barrier');
  server.send({ type: 'puback', packetId: packet.packetId ?? 0 });
  await done;
}

afterEach(closeScriptedClients);

describe('MqttClient subscribe against a scripted server', () => {
  it('sends SUBSCRIBE on the first observer, delivers messages, and UNSUBSCRIBE when it leaves', async () => {
    const { client, server } = await connectedPair();
    const received: MqttMessage[] = [];
    const { done, subscription } = collectInto(client.subscribe('sensors/+/temp', { qos: 1 }), received, 2);
    const subscribe = await server.expect('subscribe');
    expect(subscribe.subscriptions).toEqual([expect.objectContaining({ topicFilter: 'sensors/+/temp', qos: 1 })]);
    expect(subscribe.packetId).toBeGreaterThan(0);
    server.send({ type: 'suback', packetId: subscribe.packetId, reasonCodes: [1] });
    server.send(publish('sensors/kitchen/temp', '21.5'));
    server.send(publish('sensors/kitchen/humidity', '40'));
    server.send(publish('sensors/hall/temp', '{"c":19}', { retain: true }));
    await done;
    expect(received.map((m) => [m.topic, m.text(), m.retain, m.qos])).toEqual([
      ['sensors/kitchen/temp', '21.5', false, 0],
      ['sensors/hall/temp', '{"c":19}', true, 0],
    ]);
    expect(received[1].json()).toEqual({ c: 19 });
    subscription.unsubscribe();
    const unsubscribe = await server.expect('unsubscribe');
    expect(unsubscribe.topicFilters).toEqual(['sensors/+/temp']);
    server.send({ type: 'unsuback', packetId: unsubscribe.packetId });
  });

  it('shares one broker subscription between observers of a filter and re-subscribes for a higher QoS', async () => {
    const { client, server } = await connectedPair();
    const a: string[] = [];
    const b: MqttMessage[] = [];
    const subA = client.subscribe('x/#').subscribe((m) => a.push(m.text()));
    const first = await server.expect('subscribe');
    expect(first.subscriptions[0].qos).toBe(0);
    server.send({ type: 'suback', packetId: first.packetId, reasonCodes: [0] });
    const collectedB = collectInto(client.subscribe('x/#', { qos: 2 }), b, 2);
    const second = await server.expect('subscribe');
    expect(second.subscriptions[0]).toMatchObject({ topicFilter: 'x/#', qos: 2 });
    server.send({ type: 'suback', packetId: second.packetId, reasonCodes: [2] });
    server.send(publish('x/1', 'one'));
    await barrier(client, server);
    expect(a).toEqual(['one']);
    subA.unsubscribe();
    // B still observes, so no UNSUBSCRIBE; a third observer at a lower QoS sends nothing either.
    const subC = client.subscribe('x/#', { qos: 1 }).subscribe();
    await barrier(client, server);
    server.send(publish('x/2', 'two'));
    await collectedB.done;
    expect(b.map((m) => m.text())).toEqual(['one', 'two']);
    expect(a).toEqual(['one']);
    collectedB.subscription.unsubscribe();
    await barrier(client, server);
    subC.unsubscribe();
    expect((await server.expect('unsubscribe')).topicFilters).toEqual(['x/#']);
  });

  it('delivers a message once to each observer whose filter matches, with overlapping filters', async () => {
    const { client, server } = await connectedPair();
    const seen: string[] = [];
    const done = [
      collectInto(client.subscribe('a/#'), [] as MqttMessage[], 2).done,
      collectInto(client.subscribe('a/+'), [] as MqttMessage[], 1).done,
    ];
    client.subscribe('a/#').subscribe((m) => seen.push(`hash:${m.topic}`));
    client.subscribe('a/+').subscribe((m) => seen.push(`plus:${m.topic}`));
    client.subscribe('a/b').subscribe((m) => seen.push(`exact:${m.topic}`));
    for (let i = 0; i < 3; i++) {
      const s = await server.expect('subscribe');
      server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [0] });
    }
    server.send(publish('a/b', '1'));
    server.send(publish('a/c/d', '2'));
    await Promise.all(done);
    await barrier(client, server);
    expect(seen).toEqual(['hash:a/b', 'plus:a/b', 'exact:a/b', 'hash:a/c/d'].sort((x, y) => seen.indexOf(x) - seen.indexOf(y)));
    expect([...seen].sort()).toEqual(['exact:a/b', 'hash:a/b', 'hash:a/c/d', 'plus:a/b']);
  });

  it('errors with SubscribeRefusedError on an MQTT 5 SUBACK failure code, without UNSUBSCRIBE', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    const result = lastValueFrom(client.subscribe('secret/#', { qos: 1 })).catch((e: unknown) => e);
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [0x87], properties: { reasonString: 'not for you' } });
    const error = (await result) as SubscribeRefusedError;
    expect(error).toBeInstanceOf(SubscribeRefusedError);
    expect([error.reasonCode, error.topicFilter, error.reasonString]).toEqual([0x87, 'secret/#', 'not for you']);
    await barrier(client, server); // no UNSUBSCRIBE came before it
  });

  it('refuses on a 3.1.1 SUBACK 0x80', async () => {
    const { client, server } = await connectedPair();
    const result = firstValueFrom(client.subscribe('nope')).catch((e: unknown) => e);
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [0x80] });
    const error = (await result) as SubscribeRefusedError;
    expect(error).toBeInstanceOf(SubscribeRefusedError);
    expect(error.reasonCode).toBe(0x80);
  });

  it('sends UNSUBSCRIBE after SUBSCRIBE when the observer leaves before the SUBACK', async () => {
    const { client, server } = await connectedPair();
    const subscription = client.subscribe('early/+').subscribe();
    const s = await server.expect('subscribe');
    subscription.unsubscribe();
    const u = await server.expect('unsubscribe');
    expect(u.topicFilters).toEqual(['early/+']);
    expect(u.packetId).not.toBe(s.packetId);
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [0] });
    server.send({ type: 'unsuback', packetId: u.packetId });
    await barrier(client, server);
  });

  it('subscribing before the connection is up waits for CONNACK', async () => {
    const { scriptedServer } = await import('../helpers/scripted-peer.js');
    const { connect } = await import('../../lib/client/connect.js');
    const { transport, peer } = scriptedServer();
    const client = connect({ transport });
    const messages = firstN(client.subscribe('early'), 1);
    const server = await peer;
    await server.expect('connect');
    server.send({ type: 'connack', sessionPresent: false, reasonCode: 0 });
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [0] });
    server.send(publish('early', 'hi'));
    expect((await messages)[0].text()).toBe('hi');
    await client.disconnect({ timeout: 0 });
  });

  it('errors subscriptions with ConnectionClosedError when the connection closes', async () => {
    const { client, server } = await connectedPair({ reconnect: false });
    const result = lastValueFrom(client.subscribe('t')).catch((e: unknown) => e);
    await server.expect('subscribe');
    server.close();
    expect(await result).toBeInstanceOf(ConnectionClosedError);
    await expect(lastValueFrom(client.subscribe('t'))).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('throws InvalidArgumentError for an invalid filter or QoS', async () => {
    const { client } = await connectedPair();
    expect(() => client.subscribe('a/#/b')).toThrow(InvalidArgumentError);
    expect(() => client.subscribe('')).toThrow(/filter/);
    expect(() => client.subscribe('a', { qos: 3 as 2 })).toThrow(/options.qos/);
    expect(() => client.subscribe(42 as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('MQTT 5 options on an MQTT 3.1.1 connection', () => {
  it('are refused with InvalidArgumentError naming the option, not dropped silently', async () => {
    const { client } = await connectedPair();
    expect(() => client.subscribe('a', { noLocal: true })).toThrow(/options.noLocal: is an MQTT 5 feature/);
    expect(() => client.subscribe('a', { retainHandling: 2 })).toThrow(/options.retainHandling/);
    expect(() => client.publish('a', 'x', { properties: { contentType: 'text/plain' } })).toThrow(/options.properties/);
    await expect(client.disconnect({ reasonCode: 4 })).rejects.toMatchObject({ argument: 'options.reasonCode' });
  });

  it('are accepted with MQTT 5', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    client.subscribe('a', { noLocal: true, retainHandling: 2, properties: { subscriptionIdentifier: 9 } }).subscribe();
    const s = await server.expect('subscribe');
    expect(s.subscriptions[0]).toMatchObject({ noLocal: true, retainHandling: 2 });
    expect(s.properties?.subscriptionIdentifier).toBe(9);
  });
});

describe('MqttClient disconnect arguments', () => {
  it('rejects invalid options with InvalidArgumentError naming them, and stays connected', async () => {
    const { client } = await connectedPair({ protocolVersion: 5 });
    await expect(client.disconnect({ timeout: -1 })).rejects.toMatchObject({ argument: 'options.timeout' });
    await expect(client.disconnect({ reasonCode: 300 })).rejects.toMatchObject({ argument: 'options.reasonCode' });
    await expect(client.disconnect({ reasonCode: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.disconnect(null as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await firstValueFrom(client.state$)).status).toBe('connected');
  });
});

describe('MqttClient publish against a scripted server', () => {
  it('QoS 0: sends PUBLISH without a packet id only when subscribed, completes at once', async () => {
    const { client, server } = await connectedPair();
    const publish$ = client.publish('t/0', 'hello', { retain: true });
    await barrier(client, server); // nothing was sent before subscribing
    await expect(lastValueFrom(publish$)).resolves.toBeUndefined();
    const packet = await server.expect('publish');
    expect(packet).toMatchObject({ topic: 't/0', qos: 0, retain: true, dup: false });
    expect(packet.packetId).toBeUndefined();
    expect(new TextDecoder().decode(packet.payload)).toBe('hello');
  });

  it('QoS 1: PUBLISH with a packet id, completes on PUBACK', async () => {
    const { client, server } = await connectedPair();
    let done = false;
    const result = client.publishAsync('t/1', Uint8Array.of(1, 2, 3), { qos: 1 }).then(() => (done = true));
    const packet = await server.expect('publish');
    expect(packet).toMatchObject({ topic: 't/1', qos: 1, dup: false });
    expect(Array.from(packet.payload)).toEqual([1, 2, 3]);
    expect(packet.packetId).toBeGreaterThan(0);
    expect(done).toBe(false);
    server.send({ type: 'puback', packetId: packet.packetId ?? 0 });
    await result;
    expect(done).toBe(true);
  });

  it('QoS 1: errors with PublishFailedError on an MQTT 5 PUBACK failure code', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    const result = client.publishAsync('t/1', 'x', { qos: 1 }).catch((e: unknown) => e);
    const packet = await server.expect('publish');
    server.send({ type: 'puback', packetId: packet.packetId ?? 0, reasonCode: 0x87, properties: { reasonString: 'denied' } });
    const error = (await result) as PublishFailedError;
    expect(error).toBeInstanceOf(PublishFailedError);
    expect([error.reasonCode, error.topic, error.reasonString]).toEqual([0x87, 't/1', 'denied']);
  });

  it('errors pending publishes with ConnectionClosedError when the connection is lost', async () => {
    const { client, server } = await connectedPair({ reconnect: false });
    const result = client.publishAsync('t', 'x', { qos: 1 }).catch((e: unknown) => e);
    await server.expect('publish');
    server.fail();
    expect(await result).toBeInstanceOf(ConnectionClosedError);
  });

  it('throws InvalidArgumentError naming the argument', async () => {
    const { client } = await connectedPair();
    expect(() => client.publish('a/+', 'x')).toThrow(/topic/);
    expect(() => client.publish('', 'x')).toThrow(/topic/);
    expect(() => client.publish('a', 'x', { qos: 3 as 2 })).toThrow(/options.qos/);
    expect(() => client.publish('a', 42 as unknown as string)).toThrow(/payload/);
  });

  it('gives concurrent QoS 1 publishes distinct packet ids', async () => {
    const { client, server } = await connectedPair();
    const results = Array.from({ length: 5 }, (_, i) => client.publishAsync('m', String(i), { qos: 1 }));
    const packets: PublishPacket[] = [];
    for (let i = 0; i < 5; i++) packets.push(await server.expect('publish'));
    expect(packets.map((p) => new TextDecoder().decode(p.payload))).toEqual(['0', '1', '2', '3', '4']);
    expect(new Set(packets.map((p) => p.packetId)).size).toBe(5);
    for (const p of packets) server.send({ type: 'puback', packetId: p.packetId ?? 0 });
    await Promise.all(results);
  });
});

describe('incoming maximum packet size', () => {
  afterEach(closeScriptedClients);

  /** The fixed header of a PUBLISH announcing `remaining` bytes of body (Remaining Length as a Variable Byte Integer). */
  function publishHeader(remaining: number): Uint8Array {
    const bytes = [0x30];
    do {
      let digit = remaining % 128;
      remaining = Math.floor(remaining / 128);
      if (remaining > 0) digit |= 0x80;
      bytes.push(digit);
    } while (remaining > 0);
    return Uint8Array.from(bytes);
  }

  it('a default 3.1.1 client refuses a 268 MB PUBLISH from its fixed header alone: DecodeError DECODE_PACKET_TOO_LARGE, nothing buffered', async () => {
    const { client, server } = await connectedPair({ reconnect: false });
    const closed = firstValueFrom(client.state$.pipe(filter((s) => s.status === 'closed')));
    // Only the 5-byte fixed header of a packet of 268 435 460 bytes: a client that waited to buffer
    // the body would never decide, so the error proves it was refused before any body byte.
    server.sendBytes(publishHeader(268_435_455));
    const state = await closed;
    expect(state.status === 'closed' && state.error).toBeInstanceOf(DecodeError);
    expect(state.status === 'closed' && state.error?.code).toBe('DECODE_PACKET_TOO_LARGE');
    expect((state.status === 'closed' && (state.error as DecodeError).reasonCode) || 0).toBe(0x95);
    await server.closed; // the client closed the connection
  });

  it('accepts a packet of exactly the limit and refuses one byte more, on MQTT 5 with DISCONNECT 0x95', async () => {
    const limit = 64;
    const { client, server } = await connectedPair({ reconnect: false, protocolVersion: 5, maximumPacketSize: limit });
    const got = firstN(client.subscribe('t'), 1);
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [0] });
    // 2-byte fixed header + 2 + 1 topic + 1 (empty properties) + payload = 64
    server.send(publish('t', 'x'.repeat(limit - 6)));
    expect((await got)[0].payload.byteLength).toBe(limit - 6);
    const closed = firstValueFrom(client.state$.pipe(filter((st) => st.status === 'closed')));
    server.sendBytes(publishHeader(limit - 1)); // 2 + 63 = 65 bytes announced
    const state = await closed;
    expect(state.status === 'closed' && state.error?.code).toBe('DECODE_PACKET_TOO_LARGE');
    await server.closed;
    expect(server.log.filter((p) => p.type === 'disconnect')).toEqual([{ type: 'disconnect', reasonCode: 0x95 }]);
  });
});

describe('packet trace and statistics', () => {
  afterEach(closeScriptedClients);

  it('traces every packet in and out, in order, with its direction, time and connection', async () => {
    const events: PacketTraceEvent[] = [];
    const start = Date.now();
    const { client, server } = await connectedPair({ trace: (e) => events.push(e) });
    const got = firstN(client.subscribe('t', { qos: 1 }), 1);
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [1] });
    server.send(publish('t', 'hi', { qos: 1, packetId: 9 }));
    await got;
    await server.expect('unsubscribe'); // the observer took one and left
    expect(await server.expect('puback')).toMatchObject({ packetId: 9 });
    expect(events.map((e) => `${e.direction} ${e.packet.type}`)).toEqual([
      'out connect',
      'in connack',
      'out subscribe',
      'in suback',
      'in publish', // traced before the client acts on it: the deliveries and acks come after
      'out unsubscribe',
      'out puback',
    ]);
    expect(events.every((e) => e.connection === 1 && e.time >= start && e.time <= Date.now())).toBe(true);
    expect(events[4].packet).toMatchObject({ type: 'publish', topic: 't', packetId: 9 });
  });

  it('a trace that throws does not break the connection', async () => {
    const { client, server } = await connectedPair({
      trace: () => {
        throw new Error('broken logger');
      },
    });
    const done = client.publishAsync('t', 'x', { qos: 1 });
    const p = await server.expect('publish');
    server.send({ type: 'puback', packetId: p.packetId ?? 0 });
    await expect(done).resolves.toBeUndefined();
  });

  it('a wake-up makes a connected client send PINGREQ at once; a silent server then counts as dead', async () => {
    const wakeups = new Subject<string>();
    const { client, server } = await connectedPair({ wakeups, keepalive: 600, reconnect: false });
    wakeups.next('visible');
    await server.expect('pingreq', 1000); // not after 600 s of keep alive
    const closed = firstValueFrom(client.state$.pipe(filter((st) => st.status === 'closed')));
    // No PINGRESP: the probe's deadline (at most 5 s) ends the connection.
    expect(await closed).toMatchObject({ error: { code: 'KEEPALIVE_TIMEOUT' } });
  }, 15_000);

  it('MQTT 5: assigns topic aliases within the CONNACK Topic Alias Maximum, afresh on each connection [MQTT-3.3.2-7]', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5, reconnect: { minDelay: 1, maxDelay: 1 } }, { properties: { topicAliasMaximum: 1 } });
    for (const topic of ['long/topic/name', 'long/topic/name', 'other']) client.publish(topic, 'x').subscribe();
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const p = (await server.expect('publish')) as PublishPacket;
      seen.push([p.topic, p.properties?.topicAlias]);
    }
    expect(seen).toEqual([
      ['long/topic/name', 1],
      ['', 1],
      ['other', 1], // the only alias, re-bound
    ]);
    expect(() => client.publish('t', 'x', { properties: { topicAlias: 2 } })).toThrow(/topicAliases: false/);
  });

  it('refuses maxResends that is not an integer >= 0 or Infinity', async () => {
    for (const maxResends of [-1, 1.5, Number.NaN, '3']) await expect(connectedPair({ maxResends: maxResends as number })).rejects.toThrow(/maxResends/);
  });

  it('refuses wakeups that are not an Observable or false', async () => {
    await expect(connectedPair({ wakeups: 'yes' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(connectedPair({ wakeups: 'yes' as never })).rejects.toThrow(/wakeups: expected an Observable or false/);
  });

  it('refuses a trace that is not a function', async () => {
    await expect(connectedPair({ trace: 'yes' as never })).rejects.toThrow(/trace: expected a function/);
  });

  it('stats() gives a snapshot at once: packets and messages both ways, in flight both ways, queued, reconnects', async () => {
    const { client, server } = await connectedPair({ reconnect: { minDelay: 1, maxDelay: 1 } });
    client.subscribe('in', { qos: 2 }).subscribe();
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [2] });
    server.send(publish('in', 'q2', { qos: 2, packetId: 3 })); // held until PUBREL
    expect(await server.expect('pubrec')).toMatchObject({ packetId: 3 });
    client.publish('out', 'q1', { qos: 1 }).subscribe({ error: () => undefined }); // never acknowledged
    await server.expect('publish');
    expect(await firstValueFrom(client.stats())).toEqual({
      packetsIn: 3, // CONNACK, SUBACK, PUBLISH
      packetsOut: 4, // CONNECT, SUBSCRIBE, PUBREC, PUBLISH
      messagesIn: 1,
      messagesOut: 1,
      inboundInFlight: 1,
      inboundWindowInUse: 1, // a QoS 2 message holds its unit until PUBCOMP
      outboundInFlight: 1,
      queued: 0,
      reconnects: 0,
      expired: 0,
    });
    server.fail();
    await firstValueFrom(client.state$.pipe(filter((st) => st.status === 'reconnecting')));
    client.publish('out', 'offline', { qos: 0 }).subscribe({ error: () => undefined });
    expect(await firstValueFrom(client.stats())).toMatchObject({ reconnects: 1, queued: 1, outboundInFlight: 1, inboundWindowInUse: 0 });
  });

  it('stats() emits once per period and completes after a last snapshot when the client closes', async () => {
    const { client } = await connectedPair();
    const snapshots: ClientStats[] = [];
    const ended = new Promise<void>((resolve) => client.stats(5).subscribe({ next: (st) => snapshots.push(st), complete: resolve }));
    const three = firstValueFrom(client.stats(5).pipe(take(3), toArray()));
    expect(await three).toHaveLength(3);
    await client.disconnect();
    await ended;
    expect(snapshots.length).toBeGreaterThanOrEqual(4); // the first, two periods (awaited above), the last
    expect(snapshots[snapshots.length - 1].packetsOut).toBe(2); // CONNECT and DISCONNECT
    expect(() => client.stats(0)).toThrow(InvalidArgumentError);
  });
});
