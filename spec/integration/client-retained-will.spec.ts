/**
 * Retained messages and will messages through a real Mosquitto. The will cases drop the client's
 * TCP connection abruptly (RST, no DISCONNECT) and watch from a second client.
 */
import { connectAsync } from '../../lib/node/index.js';
import { MqttError } from '../../lib/errors.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { tcpTap } from '../helpers/tcp-tap.js';
import { barrier, collect, stateOf, uniqueTopic } from '../helpers/client-utils.js';

type Client = Awaited<ReturnType<typeof connectAsync>>;

describeWithMosquitto('client retained messages and wills (Mosquitto, TCP)', () => {
  let broker: MosquittoInstance;
  const clients: Client[] = [];
  const open = async (options: Parameters<typeof connectAsync>[1] = {}): Promise<Client> => {
    const client = await connectAsync(broker.url, options);
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 2000 }).catch(() => undefined)));
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  /** Subscribes a fresh client to `filter` and returns what it holds after the retained burst. */
  const retainedSnapshot = async (filter: string): Promise<{ topic: string; text: string; retain: boolean }[]> => {
    const client = await open();
    const got: { topic: string; text: string; retain: boolean }[] = [];
    const subscription = client.subscribe(filter, { qos: 1 }).subscribe((m) => got.push({ topic: m.topic, text: m.text(), retain: m.retain }));
    // Mosquitto queues the retained messages while handling SUBSCRIBE, before the barrier's PUBACK.
    await barrier(client);
    subscription.unsubscribe();
    return got.sort((a, b) => a.topic.localeCompare(b.topic));
  };

  it('a retained message reaches a later subscriber with the retain flag, and an empty payload clears it', async () => {
    const base = uniqueTopic('retained');
    const publisher = await open();
    const live = await open();
    const liveMessages = collect(live.subscribe(`${base}/#`, { qos: 1 }), 1);
    await barrier(live);

    await publisher.publishAsync(`${base}/a`, 'kept', { qos: 1, retain: true });
    // An existing subscriber gets it as a live message: retain is false [MQTT-3.3.1-9].
    expect((await liveMessages).map((m) => [m.topic, m.retain])).toEqual([[`${base}/a`, false]]);

    expect(await retainedSnapshot(`${base}/#`)).toEqual([{ topic: `${base}/a`, text: 'kept', retain: true }]);

    await publisher.publishAsync(`${base}/a`, '', { qos: 1, retain: true });
    await publisher.publishAsync(`${base}/b`, 'other', { qos: 1, retain: true });
    expect(await retainedSnapshot(`${base}/#`)).toEqual([{ topic: `${base}/b`, text: 'other', retain: true }]);
  });

  it('a retained QoS 0 message replaces the previous one', async () => {
    const topic = uniqueTopic('retained-q0');
    const publisher = await open();
    await publisher.publishAsync(topic, 'first', { qos: 0, retain: true });
    await publisher.publishAsync(topic, 'second', { qos: 0, retain: true });
    await barrier(publisher);
    expect(await retainedSnapshot(topic)).toEqual([{ topic, text: 'second', retain: true }]);
  });

  it.each([4, 5] as const)('MQTT %s: the will is published when the socket drops', async (protocolVersion) => {
    const topic = uniqueTopic('will/drop');
    const observer = await open();
    const wills = collect(observer.subscribe(topic, { qos: 1 }), 1);
    await barrier(observer);

    const tap = tcpTap(broker.host, broker.port);
    // Reconnecting off: this test is about the will, and the client stays down after the drop.
    const doomed = await connectAsync({ transport: tap.factory, protocolVersion, reconnect: false, will: { topic, payload: 'gone', qos: 1 } });
    expect(tap.sent('connect')[0]).toMatchObject({ will: { topic, qos: 1 } });
    tap.kill();

    const [will] = await wills;
    expect([will?.topic, will?.text(), will?.qos]).toEqual([topic, 'gone', 1]);
    const closed = (await stateOf(doomed, 'closed')) as { error?: unknown };
    expect(closed.error).toBeInstanceOf(MqttError);
  });

  it('by default the client reconnects after the drop (the will is still published) and works again', async () => {
    const topic = uniqueTopic('will/reconnect');
    const observer = await open();
    const wills = collect(observer.subscribe(topic, { qos: 1 }), 1);
    await barrier(observer);

    const tap = tcpTap(broker.host, broker.port);
    const client = await connectAsync({ transport: tap.factory, clientId: uniqueTopic('id').replace(/\//g, '-'), will: { topic, payload: 'gone', qos: 1 } });
    clients.push(client);
    const statuses: string[] = [];
    client.state$.subscribe((s) => statuses.push(s.status));
    tap.kill();

    const [will] = await wills;
    expect(will?.text()).toBe('gone');
    const reconnecting = (await stateOf(client, 'reconnecting')) as { attempt?: number; cause?: unknown };
    expect(reconnecting.attempt).toBe(1);
    expect(reconnecting.cause).toBeInstanceOf(MqttError);
    // The next CONNECT goes out on a second TCP connection, and Mosquitto accepts it.
    await tap.next((p) => p.connection === 1 && p.dir === 'in' && p.packet.cmd === 'connack');
    await stateOf(client, 'connected');
    expect(statuses).toEqual(['connected', 'reconnecting', 'connecting', 'connected']);
    await barrier(client); // a QoS 1 round trip over the new connection
  });

  it('a retained will is kept for later subscribers', async () => {
    const topic = uniqueTopic('will/retained');
    const tap = tcpTap(broker.host, broker.port);
    const doomed = await connectAsync({
      transport: tap.factory,
      reconnect: false,
      will: { topic, payload: new Uint8Array([1, 2, 3]), qos: 0, retain: true },
    });
    const observer = await open();
    const wills = collect(observer.subscribe(topic, { qos: 0 }), 1);
    await barrier(observer);
    tap.kill();
    await wills;
    await stateOf(doomed, 'closed');
    const [kept] = await retainedSnapshot(topic);
    expect(kept).toMatchObject({ topic, retain: true });
  });

  it('a graceful disconnect discards the will [MQTT-3.14.4-3]', async () => {
    const base = uniqueTopic('will/graceful');
    const observer = await open();
    const seen: string[] = [];
    observer.subscribe(`${base}/#`, { qos: 1 }).subscribe((m) => seen.push(m.topic));
    const marker = collect(observer.subscribe(`${base}/marker`, { qos: 1 }), 1);
    await barrier(observer);

    const polite = await connectAsync(broker.url, { will: { topic: `${base}/will`, payload: 'gone', qos: 1 } });
    await polite.disconnect();
    // Mosquitto handled the DISCONNECT (and would have queued a will) before this later publish.
    await observer.publishAsync(`${base}/marker`, 'm', { qos: 1 });
    await marker;
    expect(seen).toEqual([`${base}/marker`]);
  });

  it('MQTT 5: DISCONNECT with reason code 0x04 publishes the will', async () => {
    const topic = uniqueTopic('will/v5-04');
    const observer = await open({ protocolVersion: 5 });
    const wills = collect(observer.subscribe(topic, { qos: 1 }), 1);
    await barrier(observer);
    const leaving = await connectAsync(broker.url, { protocolVersion: 5, will: { topic, payload: 'asked for', qos: 1, properties: { userProperties: [['why', 'test']] } } });
    await leaving.disconnect({ reasonCode: 0x04 });
    const [will] = await wills;
    expect(will?.text()).toBe('asked for');
    expect(will?.properties?.userProperties).toEqual([['why', 'test']]);
  });
});
