/**
 * The 1:1 pair of the broker benchmark with rxmqtt clients: one rxmqtt subscriber and one rxmqtt
 * publisher (MQTT 3.1.1), each meant to run in a process of its own.
 *
 * @example
 * ```ts
 * const sub = await rxSubscriber(port, 'pair/t', 1, 100_000); // subscribed
 * await sub.all;                                              // every message arrived
 * ```
 */
import type { MqttClient } from '../../lib/client/mqtt-client.js';

/** Publishes outstanding at once, as in `npm run bench:e2e`. */
const IN_FLIGHT = 256;

async function connect(port: number, clientId: string): Promise<MqttClient> {
  const { connectAsync } = await import('../../lib/node/index.js');
  return connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, protocolVersion: 4 });
}

/** Subscribes to `topic`; `all` resolves once `expected` messages arrived. */
export async function rxSubscriber(port: number, topic: string, qos: 0 | 1, expected: number): Promise<{ readonly all: Promise<void>; received(): number; close(): Promise<void> }> {
  const client = await connect(port, `rx-sub-${process.pid}`);
  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const subscription = client.subscribe(topic, { qos }).subscribe(() => {
    if (++received === expected) done();
  });
  // Same connection: the SUBSCRIBE is in force once this PUBACK is back.
  await client.publishAsync(`${topic}/barrier`, '', { qos: 1 });
  return {
    all,
    received: () => received,
    close: async () => {
      subscription.unsubscribe();
      await client.disconnect();
    },
  };
}

/** Connects; `run()` publishes `count` messages of `size` bytes with at most IN_FLIGHT outstanding. */
export async function rxPublisher(port: number, topic: string, qos: 0 | 1, count: number, size: number): Promise<{ run(): Promise<void>; close(): Promise<void> }> {
  const client = await connect(port, `rx-pub-${process.pid}`);
  const payload = new Uint8Array(size).fill(0x61);
  const run = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let sent = 0;
      let completed = 0;
      let outstanding = 0;
      let filling = false;
      const observer = {
        complete: (): void => {
          outstanding--;
          if (++completed === count) resolve();
          else fill();
        },
        error: reject,
      };
      // A QoS 0 publish may complete synchronously: the running loop goes on instead of recursing.
      const fill = (): void => {
        if (filling) return;
        filling = true;
        while (outstanding < IN_FLIGHT && sent < count) {
          sent++;
          outstanding++;
          client.publish(topic, payload, { qos }).subscribe(observer);
        }
        filling = false;
      };
      fill();
    });
  return { run, close: () => client.disconnect() };
}
