import { firstValueFrom, filter, take, timeout, toArray, type Observable } from 'rxjs';
import type { BrokerEvent, BrokerHandle, SessionEndedEvent } from '../../lib/broker/index';
import { uniqueId } from '../broker/mqttjs';
import { RawClient, connect311 } from '../broker/raw-client';
import { connected, nth, subscribeBytes, withBystander } from '../broker/hostile';

/** The next `count` events of `type` (for `clientId`, when given), within 5 s. */
function next<T extends BrokerEvent['type']>(broker: BrokerHandle, type: T, count = 1, clientId?: string): Promise<Extract<BrokerEvent, { type: T }>[]> {
  const events$ = broker.events$ as Observable<BrokerEvent>;
  return firstValueFrom(
    events$.pipe(
      filter((e): e is Extract<BrokerEvent, { type: T }> => e.type === type && (clientId === undefined || ('clientId' in e && e.clientId === clientId))),
      take(count),
      toArray(),
      timeout(5000),
    ),
  );
}

/** A 3.1.1 client with Clean Session 0 that connects (CONNACK checked) and returns the session-present flag. */
async function persistent311(broker: BrokerHandle, clientId: string): Promise<{ client: RawClient; sessionPresent: boolean }> {
  const client = await RawClient.open(broker.port);
  client.write(connect311({ flags: 0x00, clientId }));
  const [connack] = await client.packets(1, 4);
  expect(connack).toMatchObject({ type: 'connack', reasonCode: 0 });
  return { client, sessionPresent: (connack as { sessionPresent: boolean }).sessionPresent };
}

/** Closes a raw client's socket and waits until the broker has released its session. */
async function leave(broker: BrokerHandle, client: RawClient, clientId: string): Promise<void> {
  const gone = next(broker, 'clientDisconnected', 1, clientId);
  client.destroy();
  await gone;
}

describe('sessions cannot lock the broker: maxSessions 50', () => {
  const s = withBystander({ port: 0, limits: { maxSessions: 50 } });

  it('survives 300 anonymous Clean Session 0 connect-and-close clients: new persistent and clean clients still get in', async () => {
    const evicted: SessionEndedEvent[] = [];
    const watch = s.broker.events$.subscribe((e) => {
      if (e.type === 'sessionEnded') evicted.push(e);
    });
    try {
      for (let i = 0; i < 300; i++) {
        const id = uniqueId('flood');
        const { client } = await persistent311(s.broker, id);
        await leave(s.broker, client, id);
      }
      expect(s.broker.sessionCount).toBeLessThanOrEqual(50);
      // The bystander's session stays (it is online); the flood evicted its own, oldest first.
      expect(evicted.length).toBeGreaterThanOrEqual(250);
      expect(evicted.every((e) => e.reason === 'evicted' && e.clientId.startsWith('flood'))).toBe(true);
      const late = uniqueId('late');
      const { client: persistentClient } = await persistent311(s.broker, late);
      const clean = await connected(s.broker, 5);
      persistentClient.destroy();
      clean.destroy();
    } finally {
      watch.unsubscribe();
    }
  });
});

describe('sessions cannot lock the broker: eviction order and counted drops (maxSessions 4)', () => {
  // The bystander holds one of the four.
  const s = withBystander({ port: 0, limits: { maxSessions: 4 } });

  it('evicts the session whose client left first, counting its queued messages as dropped', async () => {
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    for (const id of [a, b, c]) {
      const { client } = await persistent311(s.broker, id);
      client.write(subscribeBytes(4, 1, [[`ev/${id}`, 1]]));
      expect(await nth(client, 2, 4)).toMatchObject({ type: 'suback', reasonCodes: [1] });
      await leave(s.broker, client, id);
    }
    for (const n of [1, 2, 3]) s.broker.publish(`ev/${a}`, String(n), { qos: 1 });
    const droppedBefore = s.broker.droppedMessages;
    const ended = next(s.broker, 'sessionEnded');
    const d = uniqueId('d');
    const { client: dClient } = await persistent311(s.broker, d);
    expect(await ended).toEqual([{ type: 'sessionEnded', clientId: a, reason: 'evicted', droppedMessages: 3 }]);
    expect(s.broker.droppedMessages - droppedBefore).toBe(3);
    expect(s.broker.sessionCount).toBe(4);
    await leave(s.broker, dClient, d);
    // b's session is still there and resumes; a's is gone, and a's new session evicts the oldest
    // disconnected one left, c (b is online again, d left after c).
    const bBack = await persistent311(s.broker, b);
    expect(bBack.sessionPresent).toBe(true);
    const evictNext = next(s.broker, 'sessionEnded');
    const aBack = await persistent311(s.broker, a);
    expect(aBack.sessionPresent).toBe(false);
    expect((await evictNext)[0]).toMatchObject({ clientId: c, reason: 'evicted', droppedMessages: 0 });
    // Clean up: clean reconnects end the stored sessions.
    for (const [id, client] of [
      [b, bBack.client],
      [a, aBack.client],
    ] as const) {
      await leave(s.broker, client, id);
      const end = await RawClient.open(s.broker.port);
      end.write(connect311({ flags: 0x02, clientId: id }));
      await end.packets(1, 4);
      await leave(s.broker, end, id);
    }
  });

  it('refuses a persistent client only when every stored session is online, and never a clean one', async () => {
    const ids = [uniqueId('on'), uniqueId('on'), uniqueId('on')];
    const online = await Promise.all(ids.map((id) => persistent311(s.broker, id)));
    const refusedEvent = next(s.broker, 'connectionRefused');
    const refusedBefore = s.broker.refusedConnections;
    const extra = await RawClient.open(s.broker.port);
    extra.write(connect311({ flags: 0x00, clientId: uniqueId('extra') }));
    expect([...(await extra.waitClosed())]).toEqual([0x20, 0x02, 0x00, 0x03]); // Server unavailable
    expect((await refusedEvent)[0]).toMatchObject({ reason: 'maxSessions' });
    expect(s.broker.refusedConnections - refusedBefore).toBe(1);
    const clean = await connected(s.broker, 4);
    const clean5 = await connected(s.broker, 5);
    clean.destroy();
    clean5.destroy();
    for (const [i, { client }] of online.entries()) {
      await leave(s.broker, client, ids[i]);
      const end = await RawClient.open(s.broker.port);
      end.write(connect311({ flags: 0x02, clientId: ids[i] }));
      await end.packets(1, 4);
      await leave(s.broker, end, ids[i]);
    }
  });

  it('reports each message dropped from a full queue', async () => {
    // The default queue holds 1000 messages: 1002 published to an offline session drop two.
    const id = uniqueId('q');
    const narrow = s.broker;
    const { client } = await persistent311(narrow, id);
    client.write(subscribeBytes(4, 1, [['dropq/t', 1]]));
    await nth(client, 2, 4);
    await leave(narrow, client, id);
    const drops = next(narrow, 'messagesDropped', 2, id);
    for (let n = 0; n < 1002; n++) narrow.publish('dropq/t', String(n), { qos: 1 });
    expect(await drops).toEqual([
      { type: 'messagesDropped', clientId: id, reason: 'queueFull', count: 1 },
      { type: 'messagesDropped', clientId: id, reason: 'queueFull', count: 1 },
    ]);
    const end = await RawClient.open(narrow.port);
    end.write(connect311({ flags: 0x02, clientId: id }));
    await end.packets(1, 4);
    await leave(narrow, end, id);
  });
});

describe('3.1.1 persistent session expiry (sessionExpiry311 1 s)', () => {
  const s = withBystander({ port: 0, limits: { sessionExpiry311: 1 } });

  it('ends a 3.1.1 Clean Session 0 session after sessionExpiry311, counting what it held', async () => {
    const id = uniqueId('exp');
    const { client } = await persistent311(s.broker, id);
    client.write(subscribeBytes(4, 1, [['exp/t', 1]]));
    await nth(client, 2, 4);
    await leave(s.broker, client, id);
    s.broker.publish('exp/t', 'held', { qos: 1 });
    expect(await next(s.broker, 'sessionEnded', 1, id)).toEqual([{ type: 'sessionEnded', clientId: id, reason: 'expired', droppedMessages: 1 }]);
    const back = await persistent311(s.broker, id);
    expect(back.sessionPresent).toBe(false);
    await leave(s.broker, back.client, id);
    const end = await RawClient.open(s.broker.port);
    end.write(connect311({ flags: 0x02, clientId: id }));
    await end.packets(1, 4);
    await leave(s.broker, end, id);
  });
});

describe('per-client subscription cap (maxSubscriptionsPerClient 3)', () => {
  const s = withBystander({ port: 0, limits: { maxSubscriptionsPerClient: 3 } });

  it.each([
    [4, 0x80],
    [5, 0x97],
  ] as const)('refuses new filters beyond the cap on protocol %i with %i, re-subscribing still granted', async (version, code) => {
    const c = await connected(s.broker, version);
    c.write(subscribeBytes(version, 1, [['cap/1', 0], ['cap/2', 1], ['cap/3', 0], ['cap/4', 0], ['cap/5', 1]]));
    expect(await nth(c, 2, version)).toMatchObject({ type: 'suback', reasonCodes: [0, 1, 0, code, code] });
    c.write(subscribeBytes(version, 2, [['cap/2', 2], ['cap/6', 0]]));
    expect(await nth(c, 3, version)).toMatchObject({ type: 'suback', reasonCodes: [2, code] });
    c.destroy();
  });
});

describe('maxConnections (3), separate from maxSessions', () => {
  // The bystander is one of the three.
  const s = withBystander({ port: 0, limits: { maxConnections: 3 } });

  it('closes a connection beyond the limit before reading it, and takes new ones once there is room', async () => {
    const first = await connected(s.broker, 4);
    const second = await RawClient.open(s.broker.port); // no CONNECT yet: counted all the same
    const refused = next(s.broker, 'connectionRefused');
    const third = await RawClient.open(s.broker.port);
    third.write(connect311({ clientId: uniqueId('over') }));
    expect([...(await third.waitClosed())]).toEqual([]);
    expect((await refused)[0]).toEqual({ type: 'connectionRefused', clientId: undefined, reason: 'maxConnections' });
    second.destroy();
    await second.closed;
    first.send({ type: 'disconnect' }, 4);
    await first.waitClosed();
    const again = await connected(s.broker, 5);
    again.destroy();
  });
});
