/**
 * Interoperability with NATS (JetStream with its MQTT listener), a private server on free ports:
 * what the installed version supports (MQTT 3.1.1 only; QoS 0 and 1; retained messages), a
 * persistent publisher session resumed after its connection was cut mid-stream, and a QoS 2 publish, which
 * NATS answers by closing the connection: it must fail after a bounded number of resends and let
 * the rest of the queue go on. A persistent subscriber reset mid-stream resumes and gets every message.
 */
import { firstValueFrom } from 'rxjs';
import { connectAsync } from '../../lib/node/index.js';
import { ConnectRefusedError, MqttError } from '../../lib/errors.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { describeWithNats, natsVersion, startNats, type NatsInstance } from '../helpers/nats.js';
import { barrier, collect, uniqueTopic, within } from '../helpers/client-utils.js';
import { openedClients } from '../helpers/opened-clients.js';

jest.setTimeout(60_000);

const text = (payload: Uint8Array): string => Buffer.from(payload).toString();

describeWithNats(`interop: NATS ${natsVersion() ?? ''} MQTT listener`, () => {
  let nats: NatsInstance;
  let proxy: FaultProxy;
  const open = openedClients();

  beforeAll(async () => {
    nats = await startNats();
    proxy = await startFaultProxy({ targetPort: nats.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await nats?.dispose();
  });

  it('refuses MQTT 5 at CONNECT (this version speaks 3.1.1 only): connecting fails with a typed error', async () => {
    const error = await connectAsync(nats.url, { protocolVersion: 5, reconnect: false }).catch((e: unknown) => e);
    // NATS answers with a CONNACK in the 3.1.1 layout (no properties), reason 0x84 Unsupported Protocol Version.
    expect(error).toBeInstanceOf(MqttError);
    console.log(`NATS, MQTT 5 CONNECT: ${(error as MqttError).name} ${(error as MqttError).code}: ${(error as MqttError).message}`);
    if (error instanceof ConnectRefusedError) expect(error.reasonCode).toBe(0x84);
    else expect(error).toMatchObject({ name: 'DecodeError', code: 'DECODE_INVALID_REASON_CODE' });
  });

  it.each([0, 1] as const)('MQTT 3.1.1 QoS %s: publish and subscribe, in order', async (qos) => {
    const topic = uniqueTopic('nats/ps');
    const subscriber = await open(nats.url);
    const received = collect(subscriber.subscribe(topic, { qos }), 20);
    await barrier(subscriber); // the SUBSCRIBE is in force
    const publisher = await open(nats.url);
    for (let i = 0; i < 20; i++) await publisher.publishAsync(topic, `m${i}`, { qos });
    const messages = await received;
    expect(messages.map((m) => [text(m.payload), m.qos])).toEqual(Array.from({ length: 20 }, (_, i) => [`m${i}`, qos]));
  });

  it('retained messages: a later subscriber gets the last one with the retain flag', async () => {
    const topic = uniqueTopic('nats/retained');
    const publisher = await open(nats.url);
    await publisher.publishAsync(topic, 'old', { qos: 1, retain: true });
    await publisher.publishAsync(topic, 'last', { qos: 1, retain: true });
    const subscriber = await open(nats.url);
    const [message] = await collect(subscriber.subscribe(topic, { qos: 1 }), 1);
    expect([text(message!.payload), message!.retain]).toEqual(['last', true]);
    await publisher.publishAsync(topic, '', { qos: 1, retain: true }); // clears it
  });

  it('a reconnecting publisher cut mid-stream loses no QoS 1 message', async () => {
    const topic = uniqueTopic('nats/cut');
    const subscriber = await open(nats.url);
    const received = collect(subscriber.subscribe(topic, { qos: 1 }), 200, 30_000);
    const publisher = await open(proxy.url, { clientId: `rx-nats-pub-${process.pid}`, clean: false, reconnect: { minDelay: 50, maxDelay: 200 } });
    await publisher.publishAsync(topic, 'm0', { qos: 1 });
    const sends = [];
    for (let i = 1; i < 200; i++) {
      sends.push(publisher.publishAsync(topic, `m${i}`, { qos: 1 }));
      if (i === 100) proxy.cutAll();
    }
    await Promise.all(sends);
    const messages = await received;
    const unique = new Set(messages.map((m) => text(m.payload)));
    for (let i = 0; i < 200; i++) expect(unique.has(`m${i}`)).toBe(true);
  });

  it('a persistent subscriber whose socket is reset mid-stream resumes its session and gets every QoS 1 message', async () => {
    const topic = uniqueTopic('nats/resume');
    const subscriber = await open(proxy.url, { clientId: `rx-nats-sub-${process.pid}`, clean: false, reconnect: { minDelay: 50, maxDelay: 200 } });
    const unique = new Set<string>();
    const all = new Promise<void>((resolve) =>
      subscriber.subscribe(topic, { qos: 1 }).subscribe((m) => {
        unique.add(text(m.payload));
        if (unique.size === 100) resolve();
      }),
    );
    await barrier(subscriber);
    const publisher = await open(nats.url);
    for (let i = 0; i < 100; i++) {
      await publisher.publishAsync(topic, `m${i}`, { qos: 1 });
      if (i === 50) proxy.cutAll(); // some messages are on their way to the connection that dies
    }
    // Those in flight on the dead connection come again once NATS's ack_wait ran out (2 s here,
    // 30 s by default): the resumed session gets them then, with DUP set.
    await within(all, 20_000, "all 100 messages on the resumed session");
    for (let i = 0; i < 100; i++) expect(unique.has(`m${i}`)).toBe(true);
    expect((await firstValueFrom(subscriber.state$)).status).toBe('connected');
  }, 30_000);

  // NATS closes the connection on a QoS 2 PUBLISH ("publish QoS=2 not supported"). The client must not
  // resend it forever: after `maxResends` (default 5) resends it fails with a typed error, and the
  // publishes queued behind it go on.
  it('a QoS 2 publish fails with RESEND_LIMIT after the bound, and a following QoS 1 publish succeeds', async () => {
    const topic = uniqueTopic('nats/qos2');
    const publisher = await open(nats.url, { reconnect: { minDelay: 20, maxDelay: 50 } });
    const error = await publisher.publishAsync(topic, 'two', { qos: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MqttError);
    expect(error).toMatchObject({ name: 'ConnectionClosedError', code: 'RESEND_LIMIT' });
    expect((error as Error).message).toMatch(/the server likely refuses it/);
    await expect(publisher.publishAsync(topic, 'one', { qos: 1 })).resolves.toBeUndefined();
  }, 30_000);
});
