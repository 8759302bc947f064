/**
 * `$SYS/broker/...` statistics through real sockets: retained values on subscribe, updates on the
 * interval, kept out of `#` [MQTT-4.7.2-1], closed to client publishes; and `rxmqtt broker
 * --sys-interval` as a real process.
 */
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { connectAsync } from '../../lib/node/index.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { PublishFailedError } from '../../lib/errors.js';
import { killAll, requireBuild, startBrokerProcess } from '../cli/cli-process';

jest.setTimeout(30_000);

const clients: MqttClient[] = [];
async function client(url: string, protocolVersion: 4 | 5 = 5): Promise<MqttClient> {
  const c = await connectAsync(url, { protocolVersion, reconnect: false });
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});

describe('$SYS topics of the embedded broker', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0, sysInterval: 1 });
  });
  afterAll(async () => broker?.close());

  it('serves the statistics as retained messages and updates them when they change', async () => {
    const watcher = await client(broker.url);
    const retained = await firstValueFrom(watcher.subscribe('$SYS/broker/#', { qos: 0 }).pipe(take(11), toArray(), timeout(10_000)));
    const topics = retained.map((m) => m.topic).sort();
    expect(topics).toEqual(
      [
        'uptime', 'clients/connected', 'clients/disconnected', 'clients/total', 'connections/refused', 'messages/received',
        'messages/sent', 'messages/dropped', 'bytes/received', 'bytes/sent', 'retained messages/count',
      ].map((t) => `$SYS/broker/${t}`).sort(),
    );
    expect(retained.every((m) => m.retain && /^\d+$/.test(m.text()))).toBe(true);
    // Publish three messages: the next update says messages/received went up by at least three.
    const before = Number(retained.find((m) => m.topic === '$SYS/broker/messages/received')?.text());
    const pub = await client(broker.url);
    const update = firstValueFrom(
      watcher.subscribe('$SYS/broker/messages/received').pipe(filter((m) => !m.retain && Number(m.text()) >= before + 3), timeout(10_000)),
    );
    for (let i = 0; i < 3; i++) await pub.publishAsync('app/readings', String(i), { qos: 1 });
    expect(Number((await update).text())).toBeGreaterThanOrEqual(before + 3);
    expect(broker.traffic.messagesReceived).toBeGreaterThanOrEqual(3);
  });

  it('keeps $SYS out of a # subscription [MQTT-4.7.2-1]', async () => {
    const all = await client(broker.url);
    const first = firstValueFrom(all.subscribe('#').pipe(timeout(10_000)));
    await all.publishAsync('marker/hash', 'x', { qos: 1 });
    expect((await first).topic).toBe('marker/hash');
  });

  it('refuses client publishes to $SYS/ (0x87 on 5.0; acknowledged and dropped on 3.1.1)', async () => {
    const v5 = await client(broker.url, 5);
    const error = await v5.publishAsync('$SYS/broker/clients/connected', '999', { qos: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishFailedError);
    expect((error as PublishFailedError).reasonCode).toBe(0x87);
    const v4 = await client(broker.url, 4);
    await v4.publishAsync('$SYS/broker/clients/connected', '999', { qos: 1 });
    const value = await firstValueFrom(v4.subscribe('$SYS/broker/clients/connected').pipe(timeout(10_000)));
    expect(value.text()).not.toBe('999');
  });

  it('is off by default in startBroker', async () => {
    const quiet = await startBroker({ port: 0 });
    try {
      expect(quiet.retainedCount).toBe(0);
    } finally {
      await quiet.close();
    }
  });
});

describe('rxmqtt broker --sys-interval', () => {
  beforeAll(requireBuild);
  afterAll(killAll);

  it('publishes $SYS statistics from the command line broker', async () => {
    const { broker, url } = await startBrokerProcess(['--sys-interval', '1']);
    try {
      const c = await client(url);
      const m = await firstValueFrom(c.subscribe('$SYS/broker/clients/connected').pipe(timeout(10_000)));
      expect(Number(m.text())).toBeGreaterThanOrEqual(0);
    } finally {
      broker.child.kill('SIGTERM');
      await broker.exited.catch(() => undefined);
    }
  });
});
