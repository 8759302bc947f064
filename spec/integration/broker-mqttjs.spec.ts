import { firstValueFrom, filter, take, timeout } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import { barrier, closed, connackOf, endAll, inboxOf, messages, mqttjs, uniqueId } from '../broker/mqttjs';

function disconnectedEvent(broker: BrokerHandle, clientId: string) {
  return firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === clientId), take(1), timeout(5000)));
}

describe.each([4, 5] as const)('broker with MQTT.js (protocol %i)', (protocolVersion) => {
  let broker: BrokerHandle;
  const v5 = protocolVersion === 5;
  const topicOf = (name: string): string => `${name}/v${protocolVersion}`;
  beforeAll(async () => {
    broker = await startBroker({ port: 0 });
  });
  afterEach(endAll);
  afterAll(() => broker.close());

  it('delivers QoS 0, 1 and 2 at min(publish QoS, subscription QoS)', async () => {
    const sub = await mqttjs(broker.url, { protocolVersion });
    const pub = await mqttjs(broker.url, { protocolVersion });
    const t = topicOf('q');
    await sub.subscribeAsync(`${t}/1`, { qos: 1 });
    await sub.subscribeAsync(`${t}/2`, { qos: 2 });
    for (const qos of [0, 1, 2] as const) {
      await pub.publishAsync(`${t}/1`, `one-${qos}`, { qos });
      await pub.publishAsync(`${t}/2`, `two-${qos}`, { qos });
    }
    const got = await messages(sub, 6);
    expect(Object.fromEntries(got.map((m) => [m.payload, m.qos]))).toEqual({ 'one-0': 0, 'one-1': 1, 'one-2': 1, 'two-0': 0, 'two-1': 1, 'two-2': 2 });
    expect(got.every((m) => !m.retain && !m.packet.dup)).toBe(true);
  });

  it('matches + and # wildcards, delivers overlapping matches once, keeps $ topics from leading wildcards', async () => {
    const sub = await mqttjs(broker.url, { protocolVersion });
    const pub = await mqttjs(broker.url, { protocolVersion });
    const w = topicOf('w');
    await sub.subscribeAsync([`${w}/+/t`, `${w}/a/#`, '#']);
    await pub.publishAsync(`$private/${w}`, 'hidden', { qos: 1 });
    await pub.publishAsync(`${w}/x/t`, 'plus', { qos: 1 });
    await pub.publishAsync(`${w}/a`, 'hash-parent', { qos: 1 });
    await pub.publishAsync(`${w}/a/b/c`, 'hash-deep', { qos: 1 });
    await pub.publishAsync(`${w}/a/t`, 'overlap', { qos: 1 });
    await pub.publishAsync(`${w}/end`, 'end', { qos: 1 });
    const ours = (t: string): boolean => t.includes(w);
    const got = await messages(sub, 5, ours);
    expect(got.map((m) => m.payload)).toEqual(['plus', 'hash-parent', 'hash-deep', 'overlap', 'end']);
    await barrier(sub);
    expect(inboxOf(sub).filter((m) => ours(m.topic))).toHaveLength(5);
  });

  it('stores, replaces and clears retained messages and sends them with the retain flag', async () => {
    const pub = await mqttjs(broker.url, { protocolVersion });
    const r = topicOf('r');
    await pub.publishAsync(`${r}/a`, 'first', { qos: 1, retain: true });
    await pub.publishAsync(`${r}/a`, 'second', { qos: 1, retain: true });
    await pub.publishAsync(`${r}/b`, 'gone', { qos: 0, retain: true });
    await pub.publishAsync(`${r}/b`, '', { qos: 0, retain: true });
    await barrier(pub);
    const sub = await mqttjs(broker.url, { protocolVersion });
    await sub.subscribeAsync(`${r}/+`, { qos: 1 });
    await pub.publishAsync(`${r}/a`, 'live', { qos: 1, retain: true });
    const got = await messages(sub, 2);
    expect(got.map((m) => [m.topic, m.payload, m.retain, m.qos])).toEqual([
      [`${r}/a`, 'second', true, 1],
      [`${r}/a`, 'live', false, 1], // forwarded to an existing subscriber without the flag
    ]);
    const late = await mqttjs(broker.url, { protocolVersion });
    await late.subscribeAsync(`${r}/#`);
    await barrier(late);
    expect(inboxOf(late).map((m) => [m.payload, m.retain])).toEqual([['live', true]]);
    await pub.publishAsync(`${r}/a`, '', { retain: true });
  });

  it('queues QoS 1 and 2 for an offline persistent session and delivers them on resume', async () => {
    const clientId = uniqueId('persist');
    const persistent = v5 ? { clean: false, properties: { sessionExpiryInterval: 60 } } : { clean: false };
    const p = topicOf('p');
    const first = await mqttjs(broker.url, { protocolVersion, clientId, ...persistent });
    expect(connackOf(first).sessionPresent).toBe(false);
    await first.subscribeAsync(`${p}/+`, { qos: 2 });
    const gone = disconnectedEvent(broker, clientId);
    await first.endAsync();
    await gone;
    const pub = await mqttjs(broker.url, { protocolVersion });
    await pub.publishAsync(`${p}/1`, 'q1', { qos: 1 });
    await pub.publishAsync(`${p}/2`, 'q2', { qos: 2 });
    await pub.publishAsync(`${p}/0`, 'q0', { qos: 0 });
    const second = await mqttjs(broker.url, { protocolVersion, clientId, ...persistent });
    expect(connackOf(second).sessionPresent).toBe(true);
    const got = await messages(second, 2);
    expect(got.map((m) => [m.payload, m.qos])).toEqual([
      ['q1', 1],
      ['q2', 2],
    ]);
    await barrier(second);
    expect(inboxOf(second)).toHaveLength(2); // QoS 0 is not queued for offline clients
  });

  it('discards a clean session when the client goes', async () => {
    const clientId = uniqueId('clean');
    const first = await mqttjs(broker.url, { protocolVersion, clientId, clean: true });
    await first.subscribeAsync(topicOf('c'), { qos: 1 });
    const gone = disconnectedEvent(broker, clientId);
    await first.endAsync();
    await gone;
    const second = await mqttjs(broker.url, { protocolVersion, clientId, clean: false, ...(v5 ? { properties: { sessionExpiryInterval: 10 } } : {}) });
    expect(connackOf(second).sessionPresent).toBe(false);
  });

  it('lets a second connection with the same client id take over the first', async () => {
    const clientId = uniqueId('takeover');
    const first = await mqttjs(broker.url, { protocolVersion, clientId });
    const serverDisconnect = new Promise<number | undefined>((resolve) => first.once('disconnect', (p) => resolve(p.reasonCode)));
    const firstClosed = closed(first);
    const second = await mqttjs(broker.url, { protocolVersion, clientId });
    await firstClosed;
    if (v5) expect(await serverDisconnect).toBe(0x8e);
    expect(broker.connectedClients.filter((id) => id === clientId)).toEqual([clientId]);
    await second.subscribeAsync(topicOf('take'));
    expect(second.connected).toBe(true);
  });

  it('publishes the will when the connection drops, not after a normal DISCONNECT', async () => {
    const watcher = await mqttjs(broker.url, { protocolVersion });
    const topic = topicOf('will');
    await watcher.subscribeAsync(`${topic}/+`, { qos: 1 });
    const polite = uniqueId('polite');
    const politeClient = await mqttjs(broker.url, { protocolVersion, clientId: polite, will: { topic: `${topic}/polite`, payload: Buffer.from('no'), qos: 1, retain: false } });
    const politeGone = disconnectedEvent(broker, polite);
    await politeClient.endAsync();
    expect((await politeGone).graceful).toBe(true);
    const rude = uniqueId('rude');
    await mqttjs(broker.url, { protocolVersion, clientId: rude, will: { topic: `${topic}/rude`, payload: Buffer.from('bye'), qos: 1, retain: false } }).then((c) => c.stream.destroy());
    const [will] = await messages(watcher, 1);
    expect([will.topic, will.payload, will.qos]).toEqual([`${topic}/rude`, 'bye', 1]);
    await barrier(watcher);
    expect(inboxOf(watcher)).toHaveLength(1);
  });

  it('gives each message of a shared subscription to one member, round robin', async () => {
    const s = topicOf('share');
    const a = await mqttjs(broker.url, { protocolVersion });
    const b = await mqttjs(broker.url, { protocolVersion });
    const all = await mqttjs(broker.url, { protocolVersion });
    await a.subscribeAsync(`$share/g/${s}/+`, { qos: 1 });
    await b.subscribeAsync(`$share/g/${s}/+`, { qos: 1 });
    await all.subscribeAsync(`${s}/+`, { qos: 1 });
    const pub = await mqttjs(broker.url, { protocolVersion });
    for (let i = 0; i < 6; i++) await pub.publishAsync(`${s}/x`, String(i), { qos: 1 });
    expect((await messages(all, 6)).map((m) => m.payload)).toEqual(['0', '1', '2', '3', '4', '5']);
    const [fromA, fromB] = await Promise.all([messages(a, 3), messages(b, 3)]);
    expect([...fromA, ...fromB].map((m) => m.payload).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(fromA.map((m) => m.topic)).toEqual([`${s}/x`, `${s}/x`, `${s}/x`]);
  });

  it('reports connections, subscriptions and publishes as events', async () => {
    const clientId = uniqueId('events');
    const connected = firstValueFrom(broker.clientConnected$.pipe(filter((e) => e.clientId === clientId), timeout(5000)));
    const subscribed = firstValueFrom(broker.subscribed$.pipe(filter((e) => e.clientId === clientId), timeout(5000)));
    const published = firstValueFrom(broker.published$.pipe(filter((e) => e.clientId === clientId), timeout(5000)));
    const client = await mqttjs(broker.url, { protocolVersion, clientId, username: 'u' });
    await client.subscribeAsync(topicOf('ev'), { qos: 2 });
    await client.publishAsync(topicOf('ev'), 'x', { qos: 1 });
    expect(await connected).toMatchObject({ clientId, username: 'u', protocolVersion, sessionPresent: false });
    expect(await subscribed).toMatchObject({ topicFilter: topicOf('ev'), qos: 2 });
    const p = await published;
    expect([p.topic, new TextDecoder().decode(p.payload), p.qos]).toEqual([topicOf('ev'), 'x', 1]);
  });

  it('delivers what the broker itself publishes', async () => {
    const sub = await mqttjs(broker.url, { protocolVersion });
    await sub.subscribeAsync(topicOf('own'), { qos: 1 });
    broker.publish(topicOf('own'), 'from the broker', { qos: 1 });
    expect((await messages(sub, 1)).map((m) => [m.payload, m.qos])).toEqual([['from the broker', 1]]);
    expect(() => broker.publish('a/+', 'x')).toThrow(/wildcard/);
    expect(() => broker.publish('', 'x')).toThrow(/topic/);
  });
});
