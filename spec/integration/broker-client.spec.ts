import { firstValueFrom, filter, take, timeout } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import { connect, connectAsync } from '../../lib/node/index';
import type { MqttClient } from '../../lib/client/mqtt-client';
import { memoryTransportFactory } from '../../lib/transport/memory-transport';
import { barrier, collect, uniqueTopic } from '../helpers/client-utils';

describe.each([4, 5] as const)("broker with this project's client (protocol %i)", (protocolVersion) => {
  let broker: BrokerHandle;
  const clients: MqttClient[] = [];
  const open = async (options: Parameters<typeof connectAsync>[1] = {}): Promise<MqttClient> => {
    const client = await connectAsync(broker.url, { protocolVersion, ...options });
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    broker = await startBroker({ port: 0, websocket: { port: 0 } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 1000 }).catch(() => undefined)));
  });
  afterAll(() => broker.close());

  it('publishes and receives at QoS 0, 1 and 2', async () => {
    const sub = await open();
    const pub = await open();
    const topic = uniqueTopic('own');
    const got = collect(sub.subscribe(`${topic}/+`, { qos: 2 }), 3);
    await barrier(sub);
    for (const qos of [0, 1, 2] as const) await pub.publishAsync(`${topic}/${qos}`, `m${qos}`, { qos });
    const messages = await got;
    expect(messages.map((m) => [m.topic, m.text(), m.qos])).toEqual([
      [`${topic}/0`, 'm0', 0],
      [`${topic}/1`, 'm1', 1],
      [`${topic}/2`, 'm2', 2],
    ]);
  });

  it('receives the retained message with the retain flag', async () => {
    const pub = await open();
    const topic = uniqueTopic('own-retained');
    await pub.publishAsync(topic, 'kept', { qos: 1, retain: true });
    const sub = await open();
    const [m] = await collect(sub.subscribe(topic, { qos: 1 }), 1);
    expect([m.text(), m.retain]).toEqual(['kept', true]);
    await pub.publishAsync(topic, '', { retain: true });
  });

  it('resumes a persistent session with the messages queued while away', async () => {
    const clientId = `own-persist-${protocolVersion}-${process.pid}`;
    const topic = uniqueTopic('own-persist');
    const persistent = { clientId, clean: false, ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}) };
    const first = await open(persistent);
    const subscription = first.subscribe(topic, { qos: 1 }).subscribe();
    await barrier(first);
    const gone = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === clientId), take(1), timeout(5000)));
    // Leave without unsubscribing first: the subscription stays in the session.
    await first.disconnect();
    subscription.unsubscribe();
    await gone;
    const pub = await open();
    await pub.publishAsync(topic, 'while away', { qos: 1 });
    // Subscribe before CONNACK so the queued message, sent right after it, has a receiver.
    const second = connect(broker.url, { protocolVersion, ...persistent });
    clients.push(second);
    const got = collect(second.subscribe(topic, { qos: 1 }), 1);
    const state = await firstValueFrom(second.state$.pipe(filter((s) => s.status === 'connected'), take(1), timeout(5000)));
    expect(state.status === 'connected' && state.sessionPresent).toBe(true);
    const [m] = await got;
    expect(m.text()).toBe('while away');
  });

  it('connects over WebSocket', async () => {
    const client = await connectAsync(broker.wsUrl as string, { protocolVersion });
    clients.push(client);
    const topic = uniqueTopic('own-ws');
    const got = collect(client.subscribe(topic, { qos: 1 }), 1);
    await barrier(client);
    await client.publishAsync(topic, 'over ws', { qos: 1 });
    expect((await got)[0].text()).toBe('over ws');
  });

  it('serves a client over an in-memory transport through accept()', async () => {
    const client = await connectAsync({ protocolVersion, transport: memoryTransportFactory((server) => broker.accept(server)) });
    clients.push(client);
    const topic = uniqueTopic('own-memory');
    const got = collect(client.subscribe(topic, { qos: 2 }), 1);
    await barrier(client);
    const tcp = await open();
    await tcp.publishAsync(topic, 'no sockets on this side', { qos: 2 });
    expect((await got)[0].text()).toBe('no sockets on this side');
  });

  it('gets the will of a client the broker had to drop', async () => {
    const watcher = await open();
    const topic = uniqueTopic('own-will');
    const got = collect(watcher.subscribe(topic, { qos: 1 }), 1);
    await barrier(watcher);
    const clientId = `own-will-${protocolVersion}-${process.pid}`;
    await open({ clientId, will: { topic, payload: 'gone', qos: 1 } });
    // A takeover by a second connection with the same id ends the first without DISCONNECT.
    await open({ clientId });
    const [m] = await got;
    expect(m.text()).toBe('gone');
  });
});
