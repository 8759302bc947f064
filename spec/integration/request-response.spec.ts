/**
 * MQTT 5 request/response between two rxmqtt clients, through a real Mosquitto and through the
 * embedded broker: `respond` serves, `request` asks, the Correlation Data pairs them.
 */
import { firstValueFrom, lastValueFrom, map, toArray, from, mergeMap, of, delay } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { request, respond } from '../../lib/client/request-response.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { connectAsync } from '../../lib/node/index.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { uniqueTopic } from '../helpers/client-utils.js';

async function exercise(url: string): Promise<void> {
  const clients: MqttClient[] = [];
  try {
    const server = await connectAsync(url, { protocolVersion: 5 });
    const caller = await connectAsync(url, { protocolVersion: 5 });
    clients.push(server, caller);
    const topic = uniqueTopic('rpc/double');
    // Answers out of order (a later request may finish first): the Correlation Data pairs them.
    const serving = respond(server, topic, (m) => of(String(Number(m.text()) * 2)).pipe(delay(Number(m.text()) % 3 === 0 ? 30 : 0))).subscribe();
    await new Promise((r) => setTimeout(r, 200)); // the responder's SUBACK
    const answers = await lastValueFrom(
      from([1, 2, 3, 4, 5, 6]).pipe(
        mergeMap((n) => request(caller, topic, String(n), { timeout: 5000 }).pipe(map((m) => [n, Number(m.text())] as const))),
        toArray(),
      ),
    );
    expect(answers.sort((a, b) => a[0] - b[0])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, n * 2]));
    // Nobody serves this one: a timeout, typed.
    await expect(firstValueFrom(request(caller, uniqueTopic('rpc/nobody'), 'x', { timeout: 300 }))).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    serving.unsubscribe();
    await expect(firstValueFrom(request(caller, topic, '1', { timeout: 300 }))).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
  } finally {
    await Promise.all(clients.map((c) => c.disconnect({ timeout: 1000 })));
  }
}

describeWithMosquitto('request/response through Mosquitto', () => {
  let broker: MosquittoInstance;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker?.stop());

  it('pairs concurrent requests with their responses, and times out when nobody answers', () => exercise(broker.url), 30_000);
});

describe('request/response through the embedded broker', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0 });
  });
  afterAll(() => broker?.close());

  it('pairs concurrent requests with their responses, and times out when nobody answers', () => exercise(broker.url), 30_000);
});
