/**
 * Shared subscriptions through a real Mosquitto, with three consumer processes in one `$share`
 * group at QoS 1 (MQTT 5, persistent sessions, manual acknowledgement, Receive Maximum W):
 * - none killed: every message is received exactly once between them;
 * - one killed (SIGKILL) mid-stream and restarted with the same client id: nothing acknowledged to
 *   the publisher is lost, and the only duplicates are messages the killed consumer had received
 *   and not yet acknowledged: at most W of them, all redelivered to its restarted process.
 * The consumers run on the compiled library (`node scripts/build.js`; `npm test` builds first).
 */
import { connectAsync } from '../../lib/node/index.js';
import { assertDistBuilt } from '../helpers/child-client.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { startSharedConsumer, type SharedConsumer } from '../helpers/shared-consumer.js';
import { uniqueTopic } from '../helpers/client-utils.js';

jest.setTimeout(90_000);

const WINDOW = 10;

/** Resolves once `condition` holds (checked every 20 ms), or rejects after `ms` with `what`. */
async function until(condition: () => boolean, what: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithMosquitto('shared subscriptions: three consumer processes in one $share group (Mosquitto, QoS 1)', () => {
  let broker: MosquittoInstance;
  const running: SharedConsumer[] = [];
  const consumer = async (clientId: string, filter: string): Promise<SharedConsumer> => {
    const c = startSharedConsumer({ url: broker.url, clientId, filter, window: WINDOW });
    running.push(c);
    await c.waitFor((line) => line.startsWith('ready '));
    return c;
  };
  const stopAll = async (): Promise<void> => {
    const all = running.splice(0);
    for (const c of all) c.kill('SIGTERM');
    await Promise.all(all.map((c) => c.exited));
  };

  beforeAll(async () => {
    assertDistBuilt();
    broker = await startMosquitto();
  });
  const publishers: Array<{ disconnect(options?: { timeout?: number }): Promise<void> }> = [];
  afterEach(async () => {
    for (const c of running.splice(0)) c.kill('SIGKILL');
    await Promise.all(publishers.splice(0).map((p) => p.disconnect({ timeout: 0 }).catch(() => undefined)));
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('every message exactly once between them when none is killed', async () => {
    const topic = uniqueTopic('shared/once');
    const run = `${process.pid}-${Date.now()}`;
    const consumers = [
      await consumer(`rx-share-a-${run}`, `$share/g/${topic}`),
      await consumer(`rx-share-b-${run}`, `$share/g/${topic}`),
      await consumer(`rx-share-c-${run}`, `$share/g/${topic}`),
    ];
    const publisher = await connectAsync(broker.url, { protocolVersion: 5 });
    publishers.push(publisher);
    const count = 600;
    await Promise.all(Array.from({ length: count }, (_, i) => publisher.publishAsync(topic, String(i), { qos: 1 })));
    const all = (): string[] => consumers.flatMap((c) => c.messages());
    await until(() => new Set(all()).size === count, () => `${count} distinct messages (have ${new Set(all()).size})`);
    await stopAll(); // after their DISCONNECT nothing more can arrive
    await publisher.disconnect();
    const received = all();
    console.log(`shared, none killed: ${consumers.map((c) => c.messages().length).join(' + ')} = ${received.length} of ${count}`);
    expect(received.length).toBe(count);
    expect([...new Set(received)].sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: count }, (_, i) => String(i)));
    for (const c of consumers) expect(c.messages().length).toBeGreaterThan(0);
  });

  it('a consumer killed mid-stream and restarted with the same client id loses nothing; its duplicates stay within its window', async () => {
    const topic = uniqueTopic('shared/kill');
    const run = `${process.pid}-${Date.now()}`;
    const filter = `$share/g/${topic}`;
    const victimId = `rx-share-victim-${run}`;
    const a = await consumer(`rx-share-a-${run}`, filter);
    const victim = await consumer(victimId, filter);
    const c = await consumer(`rx-share-c-${run}`, filter);
    const publisher = await connectAsync(broker.url, { protocolVersion: 5 });
    publishers.push(publisher);
    const count = 1500;
    let acknowledged = 0;
    let stopped = false;
    const publishing = (async () => {
      for (let i = 0; i < count && !stopped; i++) {
        await publisher.publishAsync(topic, String(i), { qos: 1 }); // acknowledged to the publisher
        acknowledged++;
      }
    })();
    let beforeKill: string[] = [];
    let acknowledgedAtKill = 0;
    let restarted: SharedConsumer | undefined;
    try {
      await victim.waitFor(() => victim.messages().length >= 100);
      victim.kill('SIGKILL');
      const exit = await victim.exited;
      expect(exit.signal).toBe('SIGKILL');
      beforeKill = victim.messages();
      acknowledgedAtKill = acknowledged;
      restarted = await consumer(victimId, filter);
      expect(restarted.lines.find((l) => l.startsWith('ready '))).toBe('ready true'); // the session survived
      await publishing;
    } finally {
      stopped = true; // a failure above must not leave the publishing loop running
    }
    const resumed = restarted!;
    const all = (): string[] => [a, beforeKill, c, resumed].flatMap((x) => (Array.isArray(x) ? x : x.messages()));
    await until(() => new Set(all()).size === count, () => `${count} distinct messages (have ${new Set(all()).size})`);
    await stopAll();
    await publisher.disconnect();

    const received = all();
    const seen = new Map<string, number>();
    for (const m of received) seen.set(m, (seen.get(m) ?? 0) + 1);
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([m]) => m);
    console.log(
      `shared, one killed after ${beforeKill.length} messages (publisher had ${acknowledgedAtKill} acknowledged): ` +
        `a=${a.messages().length} victim=${beforeKill.length}+${resumed.messages().length} c=${c.messages().length}, ` +
        `received=${received.length} distinct=${seen.size} duplicates=${duplicates.length} (window ${WINDOW})`,
    );
    // Nothing acknowledged to the publisher is lost.
    expect(seen.size).toBe(count);
    // Duplicates: messages the killed process had and the broker redelivered to its restarted one.
    expect(duplicates.length).toBeLessThanOrEqual(WINDOW);
    for (const m of duplicates) {
      expect(seen.get(m)).toBe(2);
      expect(beforeKill).toContain(m);
      expect(resumed.messages()).toContain(m);
    }
  });
});
