/**
 * Interoperability with RabbitMQ's MQTT plugin (`rabbitmq_mqtt`), a private node on free ports:
 * what the installed version supports. RabbitMQ before 3.13 speaks MQTT 3.1 and 3.1.1 only (MQTT 5
 * came with 3.13), QoS 0 and 1 (a QoS 2 subscription is granted QoS 1; a QoS 2 PUBLISH is answered
 * with PUBACK, which a QoS 2 flow cannot take), retained messages, and a persistent publisher
 * session resumed after its connection was cut mid-stream.
 */
import { connectAsync } from '../../lib/node/index.js';
import { MqttError } from '../../lib/errors.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { describeWithRabbitMq, rabbitMqVersion, startRabbitMq, type RabbitMqInstance } from '../helpers/rabbitmq.js';
import { barrier, collect, uniqueTopic } from '../helpers/client-utils.js';
import { openedClients } from '../helpers/opened-clients.js';

jest.setTimeout(90_000);

const text = (payload: Uint8Array): string => Buffer.from(payload).toString();
const version = rabbitMqVersion() ?? '';
const [major = 0, minor = 0] = version.split('.').map(Number);
const hasMqtt5 = major > 3 || (major === 3 && minor >= 13);

describeWithRabbitMq(`interop: RabbitMQ ${version} rabbitmq_mqtt`, () => {
  let rabbit: RabbitMqInstance;
  let proxy: FaultProxy;
  const open = openedClients();

  beforeAll(async () => {
    rabbit = await startRabbitMq();
    proxy = await startFaultProxy({ targetPort: rabbit.port });
  }, 90_000);
  afterAll(async () => {
    await proxy?.close();
    await rabbit?.dispose();
  }, 30_000);

  const versions = hasMqtt5 ? ([4, 5] as const) : ([4] as const);

  if (!hasMqtt5) {
    it('refuses MQTT 5 at CONNECT (before 3.13): connecting fails with a typed error', async () => {
      const error = await connectAsync(rabbit.url, { protocolVersion: 5, reconnect: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MqttError);
      console.log(`RabbitMQ ${version}, MQTT 5 CONNECT: ${(error as MqttError).name} ${(error as MqttError).code}: ${(error as MqttError).message}`);
    });
  }

  for (const protocolVersion of versions) {
    it.each([0, 1] as const)(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} QoS %s: publish and subscribe, in order`, async (qos) => {
      const topic = uniqueTopic('rabbit/ps');
      const subscriber = await open(rabbit.url, { protocolVersion });
      const received = collect(subscriber.subscribe(topic, { qos }), 20);
      await barrier(subscriber);
      const publisher = await open(rabbit.url, { protocolVersion });
      for (let i = 0; i < 20; i++) await publisher.publishAsync(topic, `m${i}`, { qos });
      const messages = await received;
      expect(messages.map((m) => [text(m.payload), m.qos])).toEqual(Array.from({ length: 20 }, (_, i) => [`m${i}`, qos]));
    });
  }

  it('a QoS 2 subscription is granted QoS 1: messages arrive at QoS 1', async () => {
    const topic = uniqueTopic('rabbit/q2sub');
    const subscriber = await open(rabbit.url);
    const received = collect(subscriber.subscribe(topic, { qos: 2 }), 1);
    await barrier(subscriber);
    const publisher = await open(rabbit.url);
    await publisher.publishAsync(topic, 'x', { qos: 1 });
    expect((await received).map((m) => m.qos)).toEqual([1]);
  });

  it('retained messages: a later subscriber gets the last one with the retain flag', async () => {
    const topic = uniqueTopic('rabbit/retained');
    const publisher = await open(rabbit.url);
    await publisher.publishAsync(topic, 'old', { qos: 1, retain: true });
    await publisher.publishAsync(topic, 'last', { qos: 1, retain: true });
    const subscriber = await open(rabbit.url);
    const [message] = await collect(subscriber.subscribe(topic, { qos: 1 }), 1);
    expect([text(message!.payload), message!.retain]).toEqual(['last', true]);
  });

  it('a reconnecting publisher cut mid-stream loses no QoS 1 message', async () => {
    const topic = uniqueTopic('rabbit/cut');
    const subscriber = await open(rabbit.url);
    const received = collect(subscriber.subscribe(topic, { qos: 1 }), 200, 30_000);
    await barrier(subscriber);
    const publisher = await open(proxy.url, { clientId: `rx-rabbit-pub-${process.pid}`, clean: false, reconnect: { minDelay: 50, maxDelay: 200 } });
    const sends = [];
    for (let i = 0; i < 200; i++) {
      sends.push(publisher.publishAsync(topic, `m${i}`, { qos: 1 }));
      if (i === 100) proxy.cutAll();
    }
    await Promise.all(sends);
    const unique = new Set((await received).map((m) => text(m.payload)));
    for (let i = 0; i < 200; i++) expect(unique.has(`m${i}`)).toBe(true);
  });

  it('a QoS 2 publish is answered with PUBACK: it fails with a typed error and does not hang', async () => {
    const topic = uniqueTopic('rabbit/qos2');
    const publisher = await open(rabbit.url, { reconnect: { minDelay: 20, maxDelay: 50 } });
    const error = await publisher.publishAsync(topic, 'two', { qos: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MqttError);
    console.log(`RabbitMQ ${version}, QoS 2 PUBLISH: ${(error as MqttError).name} ${(error as MqttError).code}: ${(error as MqttError).message}`);
  }, 30_000);
});
