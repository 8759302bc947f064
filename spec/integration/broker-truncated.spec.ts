/**
 * One framing path for client and broker: a connection that ends inside a packet is reported with
 * DecodeError `DECODE_TRUNCATED` by the broker too (and, not being a DISCONNECT, publishes the will).
 */
import { filter, firstValueFrom, timeout } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { connectAsync } from '../../lib/node/index.js';
import { RawClient } from '../broker/raw-client.js';

describe('broker: a client that ends inside a packet', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0 });
  });
  afterAll(async () => broker?.close());

  it('is reported as DECODE_TRUNCATED and its will is published', async () => {
    const watcher = await connectAsync(broker.url, { reconnect: false });
    const will = firstValueFrom(watcher.subscribe('truncated/will').pipe(timeout(10_000)));
    await watcher.publishAsync('barrier/truncated', '', { qos: 1 });
    const disconnected = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === 'truncated-1'), timeout(10_000)));
    const c = await RawClient.open(broker.port);
    c.send({ type: 'connect', protocolVersion: 4, clientId: 'truncated-1', cleanStart: true, keepAlive: 60, will: { topic: 'truncated/will', payload: new TextEncoder().encode('gone'), qos: 0, retain: false } }, 4);
    await c.packets(1, 4); // CONNACK
    c.write([0x30, 0x0a, 0x00, 0x03, 0x61]); // a PUBLISH announcing 10 bytes, 3 of them sent
    c.destroy();
    const event = await disconnected;
    expect(event.graceful).toBe(false);
    expect(event.error).toMatchObject({ name: 'DecodeError', code: 'DECODE_TRUNCATED' });
    expect((await will).text()).toBe('gone');
    await watcher.disconnect();
  });
});
