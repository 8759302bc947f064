import type { SubackPacket } from '../../lib/codec/packet';
import { uniqueId } from '../broker/mqttjs';
import { RawClient } from '../broker/raw-client';
import { connected, deep, nth, subscribeBytes, unsubscribeBytes, withBystander } from '../broker/hostile';
import { attempt } from '../broker/ws-origin';

/*
 * Hostile clients over raw sockets. Around every case the memory of this process (which runs the
 * broker) is measured and bounded, and a bystander's QoS 1 round trip is checked (withBystander).
 * MEMORY_REPORT=1 prints the figures. The volume attacks are in broker-hostile-load.spec.ts.
 */

describe('broker under hostile clients: deep topics with the default maxTopicLevels (128)', () => {
  const s = withBystander({ port: 0 });

  it.each([
    [4, 0x80],
    [5, 0x8f],
  ] as const)('refuses a 10 000-level filter on protocol %i with SUBACK %i and grants the others', async (version, code) => {
    const c = await connected(s.broker, version);
    c.send({ type: 'subscribe', packetId: 7, subscriptions: [{ topicFilter: deep(10000), qos: 1 }, { topicFilter: deep(128), qos: 1 }, { topicFilter: deep(129), qos: 0 }] }, version);
    expect(await nth(c, 2, version)).toMatchObject({ type: 'suback', packetId: 7, reasonCodes: [code, 1, code] });
    c.send({ type: 'pingreq' }, version);
    expect(await nth(c, 3, version)).toMatchObject({ type: 'pingresp' });
    c.destroy();
  });

  it('closes a 3.1.1 publisher of a 10 000-level topic, and only it', async () => {
    const c = await connected(s.broker, 4);
    c.send({ type: 'publish', topic: deep(10000), payload: new Uint8Array([1]), qos: 1, packetId: 1, retain: true, dup: false }, 4);
    const bytes = await c.waitClosed();
    expect(bytes.length).toBe(4); // the CONNACK only, no PUBACK
    expect(s.broker.retainedCount).toBe(0);
  });

  it('disconnects a 5.0 publisher of a 129-level topic with reason 0x90 (Topic Name invalid)', async () => {
    const c = await connected(s.broker, 5);
    c.send({ type: 'publish', topic: deep(129), payload: new Uint8Array([1]), qos: 0, retain: false, dup: false }, 5);
    await c.waitClosed();
    expect(await nth(c, 2, 5)).toMatchObject({ type: 'disconnect', reasonCode: 0x90 });
  });

  it('accepts a 128-level topic and delivers it', async () => {
    const sub = await connected(s.broker, 5);
    sub.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: deep(127, '#'), qos: 0 }] }, 5);
    expect(await nth(sub, 2, 5)).toMatchObject({ type: 'suback', reasonCodes: [0] });
    const pub = await connected(s.broker, 5);
    pub.send({ type: 'publish', topic: deep(128), payload: new Uint8Array([7]), qos: 0, retain: false, dup: false }, 5);
    expect(await nth(sub, 3, 5)).toMatchObject({ type: 'publish', topic: deep(128) });
    sub.destroy();
    pub.destroy();
  });

  it('refuses a 5.0 CONNECT whose will topic is too deep with CONNACK 0x90', async () => {
    const c = await RawClient.open(s.broker.port);
    const will = { topic: deep(200), payload: new Uint8Array([1]), qos: 0 as const, retain: false };
    c.send({ type: 'connect', protocolVersion: 5, clientId: uniqueId('will'), cleanStart: true, keepAlive: 60, will }, 5);
    await c.waitClosed();
    expect(await nth(c, 1, 5)).toMatchObject({ type: 'connack', reasonCode: 0x90 });
  });

  it('closes a 3.1.1 CONNECT whose will topic is too deep without CONNACK (no return code fits)', async () => {
    const c = await RawClient.open(s.broker.port);
    const will = { topic: deep(200), payload: new Uint8Array([1]), qos: 0 as const, retain: false };
    c.send({ type: 'connect', protocolVersion: 4, clientId: uniqueId('will4'), cleanStart: true, keepAlive: 60, will }, 4);
    expect([...(await c.waitClosed())]).toEqual([]);
  });
});

describe('broker under hostile clients: 10 000-level topics allowed (maxTopicLevels 20 000)', () => {
  const s = withBystander({ port: 0, limits: { maxTopicLevels: 20000 } });

  it('routes a 10 000-level PUBLISH to a 10 000-level filter, and serves its retained copy to a later # subscriber', async () => {
    const topic = deep(10000);
    const deepSub = await connected(s.broker, 4);
    deepSub.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: deep(10000, '+'), qos: 1 }] }, 4);
    expect(await nth(deepSub, 2, 4)).toMatchObject({ type: 'suback', reasonCodes: [1] });
    const pub = await connected(s.broker, 4);
    pub.send({ type: 'publish', topic, payload: new Uint8Array([42]), qos: 1, packetId: 9, retain: true, dup: false }, 4);
    expect(await nth(pub, 2, 4)).toMatchObject({ type: 'puback', packetId: 9 });
    expect(await nth(deepSub, 3, 4)).toMatchObject({ type: 'publish', topic, qos: 1 });
    expect(s.broker.retainedCount).toBe(1);

    // The lockout: every later '#' subscriber used to be disconnected by this retained message.
    for (const version of [4, 5] as const) {
      const late = await connected(s.broker, version);
      late.send({ type: 'subscribe', packetId: 2, subscriptions: [{ topicFilter: '#', qos: 1 }] }, version);
      expect(await nth(late, 2, version)).toMatchObject({ type: 'suback', reasonCodes: [1] });
      expect(await nth(late, 3, version)).toMatchObject({ type: 'publish', topic, retain: true });
      late.send({ type: 'pingreq' }, version);
      expect(await nth(late, 4, version)).toMatchObject({ type: 'pingresp' });
      late.destroy();
    }
    // Clear it so the bystander's later cases see a clean store.
    pub.send({ type: 'publish', topic, payload: new Uint8Array(0), qos: 1, packetId: 10, retain: true, dup: false }, 4);
    expect(await nth(pub, 3, 4)).toMatchObject({ type: 'puback', packetId: 10 });
    expect(s.broker.retainedCount).toBe(0);
    deepSub.destroy();
    pub.destroy();
  });
});

describe('broker under hostile clients: filters in bulk (default maxSubscriptionsPerClient 1000)', () => {
  const s = withBystander({ port: 0 });
  // [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1] [MQTT-4.8.2-1]
  const invalid = ['a+', 'a/#/b', '#/x', 'a/b#', '+a/b', '', '$share//a', '$share/g', '$share/g+/a', 'x/++'];

  it.each([
    [4, 0x80],
    [5, 0x8f],
  ] as const)('refuses 10 000 invalid filters on protocol %i with %i in every slot, holding none, and keeps the connection', async (version, code) => {
    const c = await connected(s.broker, version);
    for (let p = 1; p <= 10; p++) c.write(subscribeBytes(version, p, Array.from({ length: 1000 }, (_, i) => [invalid[i % invalid.length], 1] as const)));
    c.write(unsubscribeBytes(version, 11, invalid));
    const packets = await c.packets(12, version, 20_000);
    const subacks = packets.slice(1, 11) as SubackPacket[];
    expect(subacks.map((a) => a.packetId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(subacks.every((a) => a.reasonCodes.length === 1000 && a.reasonCodes.every((r) => r === code))).toBe(true);
    expect(packets[11]).toMatchObject({ type: 'unsuback', packetId: 11 });
    // Nothing is subscribed: a message on a topic that a broken filter resembles goes nowhere.
    s.broker.publish('a/b', 'x', { qos: 1 });
    c.send({ type: 'pingreq' }, version);
    expect(await nth(c, 13, version)).toMatchObject({ type: 'pingresp' });
    c.destroy();
  });

  it.each([
    [4, 0x80],
    [5, 0x97],
  ] as const)('grants 1000 of 100 000 filters from one client on protocol %i and refuses the rest with %i', async (version, code) => {
    s.bound({ peakMB: 96 });
    const c = await connected(s.broker, version);
    for (let p = 1; p <= 100; p++) c.write(subscribeBytes(version, p, Array.from({ length: 1000 }, (_, i) => [`many/${p}/${i}`, 0] as const)));
    const subacks = (await c.packets(101, version, 30_000)).slice(1) as SubackPacket[];
    const codes = subacks.flatMap((a) => a.reasonCodes);
    expect(codes).toHaveLength(100_000);
    expect(codes.filter((r) => r === 0)).toHaveLength(1000);
    expect(codes.slice(1000).every((r) => r === code)).toBe(true);
    // A granted one delivers; a refused one does not.
    s.broker.publish('many/100/5', 'no', { qos: 0 });
    s.broker.publish('many/1/5', 'yes', { qos: 0 });
    expect(await nth(c, 102, version)).toMatchObject({ type: 'publish', topic: 'many/1/5' });
    c.destroy();
  });
});

describe('broker under hostile clients: WebSocket upgrades from a foreign Origin', () => {
  const s = withBystander({ port: 0, websocket: { port: 0 } });

  it('refuses 1000 upgrades from http://evil.example with 403, each counted, none connected', async () => {
    const before = s.broker.refusedConnections;
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => attempt(s.broker.wsUrl as string, 'http://evil.example')));
      expect(answers).toEqual(Array(50).fill({ status: 403 }));
    }
    expect(s.broker.refusedConnections - before).toBe(1000);
    expect(s.broker.connectedClients.filter((id) => !id.startsWith('bystander'))).toEqual([]);
  });
});

describe('broker under hostile clients: kept messages do not pin network buffers', () => {
  const s = withBystander({ port: 0 });

  it('gives a retained or QoS 1 message its own copy of the payload, not a view into the socket read', async () => {
    const payloads: Uint8Array[] = [];
    const seen = s.broker.events$.subscribe((e) => {
      if (e.type === 'published' && e.topic.startsWith('pin/')) payloads.push(e.payload);
    });
    const c = await connected(s.broker, 4);
    c.send({ type: 'publish', topic: 'pin/retained', payload: new Uint8Array(10).fill(1), qos: 0, retain: true, dup: false }, 4);
    c.send({ type: 'publish', topic: 'pin/qos1', payload: new Uint8Array(10).fill(2), qos: 1, packetId: 1, retain: false, dup: false }, 4);
    expect(await nth(c, 2, 4)).toMatchObject({ type: 'puback', packetId: 1 });
    seen.unsubscribe();
    expect(payloads.map((p) => [p.length, p.buffer.byteLength])).toEqual([
      [10, 10],
      [10, 10],
    ]);
    c.send({ type: 'publish', topic: 'pin/retained', payload: new Uint8Array(0), qos: 0, retain: true, dup: false }, 4);
    c.destroy();
  });
});
