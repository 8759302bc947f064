/**
 * The outbound in-flight window against a default-configured Mosquitto. Mosquitto 2.0 keeps at most
 * 20 incoming QoS 2 messages of a client unreleased (`max_inflight_messages`, default 20); a 3.1.1
 * client that has more in flight gets, for the 21st and later, a PUBREC carrying reason code 0x97,
 * which 3.1.1 cannot express: the message is dropped while the client sees a normal PUBREC. The
 * client's default window for 3.1.1 (`maxInFlight` 20) keeps a burst within that limit, so every
 * message arrives; the same burst with a wider window shows the loss the default prevents.
 */
import { filter, firstValueFrom } from 'rxjs';
import { connectAsync } from '../../lib/node/index.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { uniqueTopic, within } from '../helpers/client-utils.js';

describeWithMosquitto('outbound window (default-config Mosquitto)', () => {
  let broker: MosquittoInstance;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    broker = await startMosquitto({ defaultLimits: true }); // Mosquitto's default max_inflight_messages (20)
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.disconnect({ timeout: 0 }).catch(() => undefined)));
    await broker?.stop();
  });

  /** Subscribes, then publishes `count` QoS `qos` messages started at once; returns the payloads received and whether every publish settled. */
  async function burst(count: number, qos: 1 | 2, options: { maxInFlight?: number } = {}) {
    const topic = uniqueTopic('burst');
    const subscriber = await connectAsync(broker.url, { protocolVersion: 4 });
    const publisher = await connectAsync(broker.url, { protocolVersion: 4, ...options });
    clients.push(subscriber, publisher);
    const received = new Set<string>();
    const listening = subscriber.subscribe(topic, { qos: 2 }).subscribe((m) => received.add(m.text()));
    await firstValueFrom(subscriber.state$.pipe(filter((s) => s.status === 'connected')));
    await new Promise((r) => setTimeout(r, 200)); // the SUBACK
    const settled = await within(
      Promise.allSettled(Array.from({ length: count }, (_, i) => publisher.publishAsync(topic, String(i), { qos }))),
      30_000,
      `${count} QoS ${qos} publishes settling`,
    );
    // Whatever was going to arrive has arrived once a marker sent after it did.
    await publisher.publishAsync(topic, 'end', { qos: 2 });
    const deadline = Date.now() + 10_000;
    while (!received.has('end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    listening.unsubscribe();
    received.delete('end');
    return { received: received.size, fulfilled: settled.filter((s) => s.status === 'fulfilled').length };
  }

  it('a 3.1.1 burst of 1000 QoS 2 publishes loses nothing with the default window', async () => {
    const { received, fulfilled } = await burst(1000, 2);
    expect({ received, fulfilled }).toEqual({ received: 1000, fulfilled: 1000 });
  }, 60_000);

  it('the same burst of QoS 1 loses nothing either', async () => {
    const { received, fulfilled } = await burst(1000, 1);
    expect({ received, fulfilled }).toEqual({ received: 1000, fulfilled: 1000 });
  }, 60_000);

  it('with a window wider than Mosquitto allows, QoS 2 messages past its 20 are lost (what the default prevents)', async () => {
    const { received, fulfilled } = await burst(100, 2, { maxInFlight: 100 });
    expect(fulfilled).toBe(100);
    expect(received).toBeLessThan(100);
  }, 60_000);
});
