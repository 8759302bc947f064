import { firstValueFrom, filter, merge, of, take, timeout } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import { barrier, connackOf, endAll, inboxOf, messages, mqttjs, refusal, uniqueId } from '../broker/mqttjs';

describe('broker limits', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0, limits: { maxQueuedMessages: 2, maxSessions: 4, maxSessionExpiryInterval: 10 } });
  });
  afterEach(async () => {
    await endAll();
    // Every case leaves no session behind (the sessions limit counts them).
    await firstValueFrom(merge(of(0), broker.clientDisconnected$).pipe(filter(() => broker.sessionCount === 0), take(1), timeout(5000)));
  });
  afterAll(() => broker.close());

  it('queues at most maxQueuedMessages for an offline session and drops the newer ones', async () => {
    const clientId = uniqueId('queue');
    const first = await mqttjs(broker.url, { protocolVersion: 4, clientId, clean: false });
    await first.subscribeAsync('lq/+', { qos: 1 });
    const gone = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === clientId), take(1), timeout(5000)));
    await first.endAsync();
    await gone;
    const pub = await mqttjs(broker.url, { protocolVersion: 4 });
    for (const n of [1, 2, 3, 4]) await pub.publishAsync(`lq/${n}`, String(n), { qos: 1 });
    await pub.endAsync();
    const second = await mqttjs(broker.url, { protocolVersion: 4, clientId, clean: false });
    expect((await messages(second, 2)).map((m) => m.payload)).toEqual(['1', '2']);
    await barrier(second);
    expect(inboxOf(second)).toHaveLength(2);
    // Clean up the persistent session so it does not count against maxSessions.
    await second.endAsync();
    await mqttjs(broker.url, { protocolVersion: 4, clientId, clean: true }).then((c) => c.endAsync());
  });

  it.each([4, 5] as const)('refuses a new persistent session beyond maxSessions while all are online, never a clean one (protocol %i)', async (protocolVersion) => {
    const persistent = (clientId = uniqueId('held')) =>
      protocolVersion === 5 ? { protocolVersion, clientId, properties: { sessionExpiryInterval: 10 } } : { protocolVersion, clientId, clean: false };
    const held = await Promise.all([1, 2, 3, 4].map(() => mqttjs(broker.url, persistent())));
    expect(await refusal(broker.url, persistent())).toBe(protocolVersion === 5 ? 0x97 : 3);
    // A client whose session ends with its connection is let in all the same.
    const clean = await mqttjs(broker.url, { protocolVersion });
    expect(clean.connected).toBe(true);
    expect(broker.sessionCount).toBe(5);
    // An existing client id may still reconnect (its session is taken over, not added).
    const again = await mqttjs(broker.url, persistent(held[0].options.clientId));
    expect(again.connected).toBe(true);
    // Leave with every session gone, so the next case starts from zero: a clean reconnect ends each.
    const clients = [again, ...held.slice(1)];
    const ids = new Set(clients.map((c) => c.options.clientId));
    const allGone = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => ids.has(e.clientId)), take(ids.size), timeout(5000)));
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await allGone;
    await clean.endAsync();
    for (const id of ids) await mqttjs(broker.url, { protocolVersion, clientId: id, clean: true }).then((c) => c.endAsync());
  });

  it('grants at most maxSessionExpiryInterval and says so in CONNACK', async () => {
    const c = await mqttjs(broker.url, { protocolVersion: 5, properties: { sessionExpiryInterval: 1000 } });
    expect(connackOf(c).properties?.sessionExpiryInterval).toBe(10);
    // DISCONNECT may shorten the interval: 0 ends the session now.
    await c.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
  });

  it("does not send a message larger than the client's Maximum Packet Size", async () => {
    const small = await mqttjs(broker.url, { protocolVersion: 5, properties: { maximumPacketSize: 200 } });
    await small.subscribeAsync('mps/#', { qos: 1 });
    const pub = await mqttjs(broker.url, { protocolVersion: 5 });
    await pub.publishAsync('mps/big', 'x'.repeat(500), { qos: 1 });
    await pub.publishAsync('mps/small', 'fits', { qos: 1 });
    expect((await messages(small, 1)).map((m) => m.topic)).toEqual(['mps/small']);
    await barrier(small);
    expect(inboxOf(small)).toHaveLength(1);
  });

  it.each([
    [1, 4],
    [2, 4],
    [2, 5],
  ] as const)('delivers a burst at QoS %i from a %i client exactly once and in order through a small in-flight window', async (qos, publisherVersion) => {
    const narrow = await startBroker({ port: 0, limits: { maxInflight: 4, maxQueuedMessages: 10000 } });
    try {
      const sub = await mqttjs(narrow.url, { protocolVersion: 5 });
      await sub.subscribeAsync('burst', { qos });
      const pub = await mqttjs(narrow.url, { protocolVersion: publisherVersion });
      const count = 600;
      await Promise.all(Array.from({ length: count }, (_, i) => pub.publishAsync('burst', String(i), { qos })));
      const got = await messages(sub, count, undefined, 15000);
      expect(got.map((m) => Number(m.payload))).toEqual(Array.from({ length: count }, (_, i) => i));
      await barrier(sub);
      expect(inboxOf(sub)).toHaveLength(count);
    } finally {
      await endAll();
      await narrow.close();
    }
  });
});
