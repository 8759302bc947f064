/**
 * Volume through a real Mosquitto: 10 000 messages at each QoS from one client of ours to another,
 * at most 256 publishes in flight. None may be lost; at QoS 2 none may be duplicated, and at QoS 1
 * and 2 they arrive in order (one publisher, one topic: MQTT's ordered-topic guarantee, section 4.6).
 */
import { from, lastValueFrom, mergeMap } from 'rxjs';
import { connectAsync } from '../../lib/node/index.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { barrier, uniqueTopic, within } from '../helpers/client-utils.js';

const COUNT = 10_000;
const IN_FLIGHT = 256;

describeWithMosquitto('client QoS volume (Mosquitto, TCP)', () => {
  let broker: MosquittoInstance;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it.each([0, 1, 2] as const)(
    'delivers 10 000 messages at QoS %s: none lost (none duplicated at QoS 2, in order at QoS 1 and 2)',
    async (qos) => {
      const topic = uniqueTopic(`volume/q${qos}`);
      const [publisher, subscriber] = await Promise.all([connectAsync(broker.url), connectAsync(broker.url)]);
      try {
        // Index COUNT is a sentinel sent after all others completed: once it is here, every
        // message (and any duplicate) sent before it has been delivered.
        const seen: number[] = [];
        let done: () => void = () => undefined;
        const all = new Promise<void>((resolve) => (done = resolve));
        const subscription = subscriber.subscribe(topic, { qos }).subscribe((m) => {
          const view = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
          const index = view.getUint32(0);
          if (index === COUNT) done();
          else seen.push(index);
        });
        await barrier(subscriber);

        const payloadOf = (i: number): Uint8Array => {
          const bytes = new Uint8Array(16);
          new DataView(bytes.buffer).setUint32(0, i);
          return bytes;
        };
        const indexes = Array.from({ length: COUNT }, (_, i) => i);
        await within(
          lastValueFrom(from(indexes).pipe(mergeMap((i) => publisher.publish(topic, payloadOf(i), { qos }), IN_FLIGHT)), { defaultValue: undefined }),
          20000,
          `publishing ${COUNT} at QoS ${qos}`,
        );
        await publisher.publishAsync(topic, payloadOf(COUNT), { qos });
        await within(all, 20000, `receiving ${COUNT} at QoS ${qos} (got ${seen.length})`);
        subscription.unsubscribe();

        const distinct = new Set(seen);
        expect(distinct.size).toBe(COUNT);
        expect(Math.min(...distinct)).toBe(0);
        expect(Math.max(...distinct)).toBe(COUNT - 1);
        if (qos === 2) expect(seen.length).toBe(COUNT);
        if (qos > 0) expect(seen.filter((v, i) => i > 0 && v < (seen[i - 1] ?? 0))).toEqual([]);
      } finally {
        await Promise.all([publisher.disconnect({ timeout: 2000 }), subscriber.disconnect({ timeout: 2000 })]);
      }
    },
    60000,
  );
});
