/**
 * Publish and subscribe through a real Mosquitto at QoS 0, 1 and 2 in both directions (our client
 * and Mosquitto's own command-line clients), and what subscription teardown does on the wire.
 */
import { connectAsync } from '../../lib/node/index.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { mosquittoPub, mosquittoSub } from '../helpers/mosquitto-clients.js';
import { tcpTap } from '../helpers/tcp-tap.js';
import { barrier, collect, uniqueTopic } from '../helpers/client-utils.js';

type Client = Awaited<ReturnType<typeof connectAsync>>;
const QOS = [0, 1, 2] as const;
const binary = new Uint8Array([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]);

describeWithMosquitto('client publish/subscribe (Mosquitto, TCP)', () => {
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

  it.each(QOS)('our publish at QoS %s reaches mosquitto_sub', async (qos) => {
    const topic = uniqueTopic('ps/out');
    const sub = mosquittoSub({ host: broker.host, port: broker.port, topic, qos, count: 3 });
    try {
      await sub.subscribed;
      const client = await open();
      await client.publishAsync(topic, 'text payload', { qos });
      await client.publishAsync(topic, binary, { qos });
      await client.publishAsync(topic, '', { qos });
      const messages = await sub.messages;
      expect(messages.map((m) => [m.topic, m.qos, m.retain])).toEqual([
        [topic, qos, false],
        [topic, qos, false],
        [topic, qos, false],
      ]);
      expect(messages.map((m) => m.payload.toString('hex'))).toEqual([
        Buffer.from('text payload').toString('hex'),
        Buffer.from(binary).toString('hex'),
        '',
      ]);
    } finally {
      sub.stop();
    }
  });

  it.each(QOS)('mosquitto_pub at QoS %s reaches our subscriber', async (qos) => {
    const topic = uniqueTopic('ps/in');
    const client = await open();
    const received = collect(client.subscribe(`${topic}/+`, { qos }), 3);
    await barrier(client);
    await mosquittoPub({ host: broker.host, port: broker.port, topic: `${topic}/a`, payload: 'hello', qos });
    await mosquittoPub({ host: broker.host, port: broker.port, topic: `${topic}/b`, payload: Buffer.from(binary), qos });
    await mosquittoPub({ host: broker.host, port: broker.port, topic: `${topic}/c`, payload: '{"n":42}', qos });
    const [a, b, c] = await received;
    expect([a?.topic, a?.qos, a?.retain, a?.dup, a?.text()]).toEqual([`${topic}/a`, qos, false, false, 'hello']);
    expect([b?.topic, Array.from(b?.payload ?? [])]).toEqual([`${topic}/b`, Array.from(binary)]);
    expect(c?.json()).toEqual({ n: 42 });
  });

  it.each(QOS)('subscription QoS %s caps the delivery QoS of a QoS 2 publish', async (qos) => {
    const topic = uniqueTopic('ps/cap');
    const client = await open();
    const received = collect(client.subscribe(topic, { qos }), 1);
    await barrier(client);
    await mosquittoPub({ host: broker.host, port: broker.port, topic, payload: 'capped', qos: 2 });
    const [message] = await received;
    expect(message?.qos).toBe(qos);
  });

  it.each(QOS)('two clients of ours exchange messages at QoS %s, in order', async (qos) => {
    const topic = uniqueTopic('ps/ours');
    const [publisher, subscriber] = await Promise.all([open(), open({ protocolVersion: 5 })]);
    const received = collect(subscriber.subscribe(topic, { qos }), 20);
    await barrier(subscriber);
    for (let i = 0; i < 20; i++) await publisher.publishAsync(topic, JSON.stringify({ i }), { qos });
    const messages = await received;
    expect(messages.map((m) => m.json<{ i: number }>().i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(messages.every((m) => m.qos === qos && m.topic === topic)).toBe(true);
  });

  it('sends UNSUBSCRIBE when the last observer of a filter leaves, and the broker stops delivering', async () => {
    const base = uniqueTopic('ps/teardown');
    const tap = tcpTap(broker.host, broker.port);
    const subscriber = await connectAsync({ transport: tap.factory });
    clients.push(subscriber);
    const publisher = await open();

    const firstSeen: string[] = [];
    const secondSeen: string[] = [];
    const one1 = subscriber.subscribe(`${base}/one`, { qos: 1 }).subscribe((m) => firstSeen.push(m.text()));
    const one2 = subscriber.subscribe(`${base}/one`, { qos: 1 }).subscribe((m) => secondSeen.push(m.text()));
    const marker = subscriber.subscribe(`${base}/marker`, { qos: 1 });
    const markers = collect(marker, 2);
    await barrier(subscriber);
    // One SUBSCRIBE for the shared filter, however many observers.
    expect(tap.sent('subscribe').filter((p) => JSON.stringify(p).includes(`${base}/one`))).toHaveLength(1);

    // The first observer leaves: the filter still has an observer, so nothing is unsubscribed.
    one1.unsubscribe();
    await publisher.publishAsync(`${base}/one`, 'a', { qos: 1 });
    await publisher.publishAsync(`${base}/marker`, 'm1', { qos: 1 });
    await tap.next((p) => p.dir === 'in' && p.packet.cmd === 'publish' && p.packet.topic === `${base}/marker`);
    expect(secondSeen).toEqual(['a']);
    expect(firstSeen).toEqual([]);
    expect(tap.sent('unsubscribe')).toHaveLength(0);

    // The last observer leaves: UNSUBSCRIBE goes out and is acknowledged.
    one2.unsubscribe();
    const unsubscribe = await tap.next((p) => p.dir === 'out' && p.packet.cmd === 'unsubscribe');
    expect(unsubscribe.packet).toMatchObject({ unsubscriptions: [`${base}/one`] });
    await tap.next((p) => p.dir === 'in' && p.packet.cmd === 'unsuback');

    // The broker no longer sends the filter's messages: publish to it, then a marker on a filter we
    // still hold. Mosquitto delivers one publisher's messages in order, so once the marker is here
    // a delivery of `one` would have been seen on the wire before it.
    const inBefore = tap.received('publish').length;
    await publisher.publishAsync(`${base}/one`, 'b', { qos: 1 });
    await publisher.publishAsync(`${base}/marker`, 'm2', { qos: 1 });
    expect((await markers).map((m) => m.text())).toEqual(['m1', 'm2']);
    const after = tap.received('publish').slice(inBefore) as { topic: string }[];
    expect(after.map((p) => p.topic)).toEqual([`${base}/marker`]);
    expect(secondSeen).toEqual(['a']);
  });
});
