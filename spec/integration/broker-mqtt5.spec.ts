import { firstValueFrom, filter, take, timeout } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import { barrier, connackOf, endAll, inboxOf, messages, mqttjs, refusal, uniqueId } from '../broker/mqttjs';

const v5 = { protocolVersion: 5 as const };

describe('broker: MQTT 5 features with MQTT.js', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0 });
  });
  afterEach(endAll);
  afterAll(() => broker.close());

  it('lets 3.1.1 and 5.0 clients talk, with properties only for 5.0 receivers', async () => {
    const sub5 = await mqttjs(broker.url, v5);
    const sub4 = await mqttjs(broker.url, { protocolVersion: 4 });
    await sub5.subscribeAsync('mix/+', { qos: 1 });
    await sub4.subscribeAsync('mix/+', { qos: 1 });
    const pub5 = await mqttjs(broker.url, v5);
    const pub4 = await mqttjs(broker.url, { protocolVersion: 4 });
    await pub5.publishAsync('mix/a', 'from5', { qos: 1, properties: { userProperties: { k: 'v' }, contentType: 'text/plain', payloadFormatIndicator: true } });
    await pub4.publishAsync('mix/b', 'from4', { qos: 1 });
    const [five, four] = await Promise.all([messages(sub5, 2), messages(sub4, 2)]);
    expect(five.map((m) => m.payload)).toEqual(['from5', 'from4']);
    expect(four.map((m) => m.payload)).toEqual(['from5', 'from4']);
    expect(five[0].packet.properties).toMatchObject({ userProperties: { k: 'v' }, contentType: 'text/plain', payloadFormatIndicator: true });
    expect(five[1].packet.properties?.userProperties).toBeUndefined();
    expect(four[0].packet.properties).toBeUndefined();
  });

  it('honours No Local and Retain As Published', async () => {
    const me = await mqttjs(broker.url, v5);
    await me.subscribeAsync('nl/t', { qos: 1, nl: true });
    await me.subscribeAsync('rap/t', { qos: 1, rap: true });
    await me.publishAsync('nl/t', 'not back to me', { qos: 1 });
    await me.publishAsync('rap/t', 'kept flag', { qos: 1, retain: true });
    const [m] = await messages(me, 1);
    expect([m.topic, m.retain]).toEqual(['rap/t', true]);
    await barrier(me);
    expect(inboxOf(me)).toHaveLength(1);
    await me.publishAsync('rap/t', '', { retain: true });
  });

  it('applies Retain Handling 0, 1 and 2', async () => {
    const pub = await mqttjs(broker.url, v5);
    await pub.publishAsync('rh/a', 'kept', { qos: 1, retain: true });
    const c = await mqttjs(broker.url, v5);
    await c.subscribeAsync('rh/+', { qos: 1, rh: 2 }); // never
    await c.subscribeAsync('rh/#', { qos: 1, rh: 1 }); // new subscription: yes
    await c.subscribeAsync('rh/#', { qos: 1, rh: 1 }); // existing: no
    await c.subscribeAsync('+/a', { qos: 1, rh: 0 }); // always
    await c.subscribeAsync('+/a', { qos: 1, rh: 0 }); // always, again
    await barrier(c);
    expect(inboxOf(c).map((m) => [m.payload, m.retain])).toEqual([
      ['kept', true],
      ['kept', true],
      ['kept', true],
    ]);
    await pub.publishAsync('rh/a', '', { retain: true });
  });

  it('sends subscription identifiers, all of them for overlapping subscriptions', async () => {
    const c = await mqttjs(broker.url, v5);
    await c.subscribeAsync('sid/+', { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await c.subscribeAsync('sid/#', { qos: 0, properties: { subscriptionIdentifier: 9 } });
    const pub = await mqttjs(broker.url, v5);
    await pub.publishAsync('sid/x', 'x', { qos: 1 });
    const [m] = await messages(c, 1);
    expect(m.qos).toBe(1);
    const ids = m.packet.properties?.subscriptionIdentifier;
    expect((Array.isArray(ids) ? ids : [ids]).sort()).toEqual([7, 9]);
  });

  it('passes on the remaining message expiry of a retained message', async () => {
    const pub = await mqttjs(broker.url, v5);
    await pub.publishAsync('exp/a', 'soon', { qos: 1, retain: true, properties: { messageExpiryInterval: 100 } });
    const c = await mqttjs(broker.url, v5);
    await c.subscribeAsync('exp/a', { qos: 1 });
    const [m] = await messages(c, 1);
    const left = m.packet.properties?.messageExpiryInterval ?? -1;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(100);
    await pub.publishAsync('exp/a', '', { retain: true });
  });

  it('assigns a client id to a client that sent none', async () => {
    const clientId = '';
    const c = await mqttjs(broker.url, { ...v5, clientId });
    const assigned = connackOf(c).properties?.assignedClientIdentifier;
    expect(typeof assigned).toBe('string');
    expect(broker.connectedClients).toContain(assigned);
  });

  it('keeps a session for its expiry interval, and a session with interval 0 not at all', async () => {
    const kept = uniqueId('expiry-kept');
    const a = await mqttjs(broker.url, { ...v5, clientId: kept, clean: true, properties: { sessionExpiryInterval: 30 } });
    await a.endAsync();
    const b = await mqttjs(broker.url, { ...v5, clientId: kept, clean: false, properties: { sessionExpiryInterval: 30 } });
    expect(connackOf(b).sessionPresent).toBe(true);
    const dropped = uniqueId('expiry-zero');
    const gone = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === dropped), take(1), timeout(5000)));
    const c = await mqttjs(broker.url, { ...v5, clientId: dropped, clean: false, properties: { sessionExpiryInterval: 0 } });
    await c.endAsync();
    await gone;
    const d = await mqttjs(broker.url, { ...v5, clientId: dropped, clean: false });
    expect(connackOf(d).sessionPresent).toBe(false);
  });

  it('discards a kept session when the client comes back with Clean Start, sending its delayed will', async () => {
    const watcher = await mqttjs(broker.url, v5);
    await watcher.subscribeAsync('cs/will', { qos: 1 });
    const clientId = uniqueId('clean-start');
    const first = await mqttjs(broker.url, {
      ...v5,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 60 },
      will: { topic: 'cs/will', payload: Buffer.from('replaced'), qos: 1, retain: false, properties: { willDelayInterval: 60 } },
    });
    await first.subscribeAsync('cs/old', { qos: 1 });
    const gone = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === clientId), take(1), timeout(5000)));
    first.stream.destroy();
    await gone;
    const second = await mqttjs(broker.url, { ...v5, clientId, clean: true });
    expect(connackOf(second).sessionPresent).toBe(false);
    expect((await messages(watcher, 1)).map((m) => m.payload)).toEqual(['replaced']);
    // The old subscription is gone with the old session.
    await watcher.publishAsync('cs/old', 'nobody', { qos: 1 });
    await barrier(second);
    expect(inboxOf(second)).toEqual([]);
  });

  it('delays the will, cancels it on a timely reconnect and sends it on DISCONNECT 0x04', async () => {
    const watcher = await mqttjs(broker.url, v5);
    await watcher.subscribeAsync('wd/+', { qos: 1 });
    const session = { clean: false, properties: { sessionExpiryInterval: 60 } };
    const willOf = (name: string, delay: number) => ({ topic: `wd/${name}`, payload: Buffer.from(name), qos: 1 as const, retain: false, properties: { willDelayInterval: delay } });
    // Both wills wait two seconds; the first client comes back in time, the second does not.
    const backId = uniqueId('back');
    const back = await mqttjs(broker.url, { ...v5, clientId: backId, ...session, will: willOf('back', 2) });
    const awayId = uniqueId('away');
    const away = await mqttjs(broker.url, { ...v5, clientId: awayId, ...session, will: willOf('away', 2) });
    const backGone = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === backId), take(1), timeout(5000)));
    back.stream.destroy();
    await backGone;
    away.stream.destroy();
    await mqttjs(broker.url, { ...v5, clientId: backId, ...session });
    const [m] = await messages(watcher, 1, undefined, 8000);
    expect(m.topic).toBe('wd/away');
    // With reason code 0x04 the will goes out although the client disconnected.
    const withWill = await mqttjs(broker.url, { ...v5, will: willOf('asked', 0) });
    await withWill.endAsync(false, { reasonCode: 0x04 });
    const got = await messages(watcher, 2);
    expect(got.map((x) => x.topic)).toEqual(['wd/away', 'wd/asked']);
  });

  it('tells a client the Server Keep Alive when one is configured', async () => {
    const strict = await startBroker({ port: 0, limits: { serverKeepAlive: 5 } });
    try {
      const c = await mqttjs(strict.url, { ...v5, keepalive: 100 });
      expect(connackOf(c).properties?.serverKeepAlive).toBe(5);
      await c.endAsync();
    } finally {
      await strict.close();
    }
  });
});

describe.each([4, 5] as const)('broker hooks (protocol %i)', (protocolVersion) => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      authenticate: async ({ username, password }) => {
        await Promise.resolve();
        if (username === 'bad-password') return { reasonCode: 0x86 };
        return username === 'good' && new TextDecoder().decode(password) === 'pw';
      },
      authorizeSubscribe: async ({ topicFilter }) => !topicFilter.startsWith('secret'),
      authorizePublish: ({ topic }) => {
        if (topic === 'boom') throw new Error('hook failed');
        return !topic.startsWith('forbidden');
      },
    });
  });
  afterEach(endAll);
  afterAll(() => broker.close());
  const good = { protocolVersion, username: 'good', password: 'pw' };

  it('accepts and refuses connections', async () => {
    await mqttjs(broker.url, good);
    expect(await refusal(broker.url, { protocolVersion, username: 'nobody', password: 'x' })).toBe(protocolVersion === 5 ? 0x87 : 5);
    expect(await refusal(broker.url, { protocolVersion, username: 'bad-password', password: 'x' })).toBe(protocolVersion === 5 ? 0x86 : 4);
  });

  it('refuses subscriptions the hook denies', async () => {
    const c = await mqttjs(broker.url, good);
    // MQTT.js rejects a SUBACK with a failure code and carries the packet on the error.
    const suback = await c.subscribeAsync(['open/t', 'secret/t'], { qos: 1 }).then(
      () => undefined,
      (e: { packet?: { granted?: number[]; reasonCode?: number[] } }) => e.packet,
    );
    expect(suback?.granted).toEqual([1, protocolVersion === 5 ? 0x87 : 0x80]);
    // The granted filter works.
    await c.publishAsync('open/t', 'ok', { qos: 1 });
    expect((await messages(c, 1)).map((m) => m.topic)).toEqual(['open/t']);
  });

  it('drops publishes the hook denies and keeps the order of the rest', async () => {
    const sub = await mqttjs(broker.url, good);
    await sub.subscribeAsync('#', { qos: 1 });
    const pub = await mqttjs(broker.url, good);
    const refused = pub.publishAsync('forbidden/t', 'no', { qos: 1 }).then(
      () => 'acknowledged',
      (e: Error) => e.message,
    );
    if (protocolVersion === 5) expect(await refused).toMatch(/not authorized|135/i);
    else expect(await refused).toBe('acknowledged');
    await pub.publishAsync('boom', 'no', { qos: 0 });
    await pub.publishAsync('allowed/t', 'yes', { qos: 1 });
    const [m] = await messages(sub, 1, (t) => !t.startsWith('barrier'));
    expect(m.topic).toBe('allowed/t');
  });
});
