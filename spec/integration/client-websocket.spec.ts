/**
 * The client over WebSocket against Mosquitto's websockets listener: the Node entry with a ws://
 * URL (the `ws` package), and the browser entry with the `ws` constructor injected.
 */
import WebSocket from 'ws';
import { connectAsync } from '../../lib/node/index.js';
import { connectAsync as connectBrowserAsync } from '../../lib/client/connect.js';
import { TransportError } from '../../lib/errors.js';
import { describeWithMosquitto, freePort, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { mosquittoPub, mosquittoSub } from '../helpers/mosquitto-clients.js';
import { barrier, collect, uniqueTopic } from '../helpers/client-utils.js';

describeWithMosquitto('client over WebSocket (Mosquitto)', () => {
  let broker: MosquittoInstance;
  beforeAll(async () => {
    broker = await startMosquitto({ websockets: true });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it.each([4, 5] as const)('Node entry, MQTT %s: ws:// exchanges messages at QoS 0, 1 and 2', async (protocolVersion) => {
    const client = await connectAsync(`${broker.wsUrl}/mqtt`, { protocolVersion });
    try {
      const topic = uniqueTopic('ws');
      const received = collect(client.subscribe(`${topic}/+`, { qos: 2 }), 4);
      await barrier(client);
      for (const qos of [0, 1, 2] as const) await client.publishAsync(`${topic}/${qos}`, new Uint8Array([qos, 0xff, 0]), { qos });
      await mosquittoPub({ host: broker.host, port: broker.port, topic: `${topic}/tcp`, payload: 'from tcp', qos: 2 });
      const messages = await received;
      expect(messages.map((m) => [m.topic, m.qos])).toEqual([
        [`${topic}/0`, 0],
        [`${topic}/1`, 1],
        [`${topic}/2`, 2],
        [`${topic}/tcp`, 2],
      ]);
      expect(messages.slice(0, 3).map((m) => Array.from(m.payload))).toEqual([
        [0, 0xff, 0],
        [1, 0xff, 0],
        [2, 0xff, 0],
      ]);
      expect(messages[3]?.text()).toBe('from tcp');
    } finally {
      await client.disconnect();
    }
  });

  it('browser entry with the ws constructor injected reaches a TCP subscriber', async () => {
    const topic = uniqueTopic('ws-browser');
    const sub = mosquittoSub({ host: broker.host, port: broker.port, topic, qos: 1, count: 2 });
    try {
      await sub.subscribed;
      const client = await connectBrowserAsync(`${broker.wsUrl}/mqtt`, { WebSocket });
      await client.publishAsync(topic, 'one', { qos: 1 });
      await client.publishAsync(topic, 'two', { qos: 2 });
      await client.disconnect();
      expect((await sub.messages).map((m) => [m.qos, m.payload.toString()])).toEqual([
        [1, 'one'],
        [1, 'two'],
      ]);
    } finally {
      sub.stop();
    }
  });

  it('rejects with a TransportError when nothing listens', async () => {
    const port = await freePort();
    const error = await connectAsync(`ws://127.0.0.1:${port}/mqtt`, { connectTimeout: 5000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
  });
});
