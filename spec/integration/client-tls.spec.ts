/**
 * The client over TLS (mqtts://) against a Mosquitto TLS listener, with a CA and server key
 * generated at test time: verified connections, client certificates, and refusals.
 */
import { connectAsync } from '../../lib/node/index.js';
import { TransportError } from '../../lib/errors.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { generateTlsFixtures, type TlsFixtures } from '../helpers/tls.js';
import { mosquittoPub } from '../helpers/mosquitto-clients.js';
import { barrier, collect, uniqueTopic } from '../helpers/client-utils.js';

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (client) => {
      void (client as { disconnect(): Promise<void> }).disconnect();
      return undefined;
    },
    (e: unknown) => e,
  );

describeWithMosquitto('client over TLS (Mosquitto)', () => {
  let tls: TlsFixtures;
  let broker: MosquittoInstance;
  let mutual: MosquittoInstance;
  beforeAll(async () => {
    tls = generateTlsFixtures();
    const files = { cafile: tls.ca.path, certfile: tls.serverCert.path, keyfile: tls.serverKey.path };
    broker = await startMosquitto({ tls: files });
    mutual = await startMosquitto({ tls: { ...files, requireCertificate: true } });
  });
  afterAll(async () => {
    await broker?.dispose();
    await mutual?.dispose();
    tls?.dispose();
  });

  it.each([4, 5] as const)('MQTT %s: connects with the right CA and exchanges messages at QoS 0, 1 and 2', async (protocolVersion) => {
    const client = await connectAsync(broker.tlsUrl ?? '', { ca: tls.ca.pem, protocolVersion });
    try {
      const topic = uniqueTopic('tls');
      const received = collect(client.subscribe(`${topic}/+`, { qos: 2 }), 4);
      await barrier(client);
      for (const qos of [0, 1, 2] as const) await client.publishAsync(`${topic}/${qos}`, `over tls ${qos}`, { qos });
      // A plain-TCP publisher reaches the TLS subscriber through the same broker.
      await mosquittoPub({ host: broker.host, port: broker.port, topic: `${topic}/tcp`, payload: 'from tcp', qos: 1 });
      expect((await received).map((m) => [m.topic, m.qos, m.text()])).toEqual([
        [`${topic}/0`, 0, 'over tls 0'],
        [`${topic}/1`, 1, 'over tls 1'],
        [`${topic}/2`, 2, 'over tls 2'],
        [`${topic}/tcp`, 1, 'from tcp'],
      ]);
    } finally {
      await client.disconnect();
    }
  });

  it('accepts the localhost name when the certificate lists it', async () => {
    const client = await connectAsync(`mqtts://localhost:${broker.tlsPort}`, { ca: tls.ca.pem });
    await client.disconnect();
  });

  it('is refused with a TransportError when the CA is wrong', async () => {
    const error = await failure(connectAsync(broker.tlsUrl ?? '', { ca: tls.otherCa.pem, connectTimeout: 5000 }));
    expect(error).toBeInstanceOf(TransportError);
  });

  it('is refused with a TransportError when no CA is given (verification is on by default)', async () => {
    const error = await failure(connectAsync(broker.tlsUrl ?? '', { connectTimeout: 5000 }));
    expect(error).toBeInstanceOf(TransportError);
  });

  it('presents a client certificate when the listener requires one', async () => {
    const client = await connectAsync(mutual.tlsUrl ?? '', { ca: tls.ca.pem, cert: tls.clientCert.pem, key: tls.clientKey.pem });
    await client.publishAsync(uniqueTopic('tls-mutual'), 'ok', { qos: 1 });
    await client.disconnect();
  });

  it('fails with an MQTT error, not a crash, without the required client certificate', async () => {
    const error = await failure(connectAsync(mutual.tlsUrl ?? '', { ca: tls.ca.pem, connectTimeout: 5000 }));
    expect(error).toBeInstanceOf(TransportError);
  });
});
