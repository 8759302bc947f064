/**
 * A client process killed (SIGKILL) in the middle of QoS 2 flows and started again with its
 * FileInFlightStore: nothing is lost and nothing is delivered twice. The child runs on the compiled
 * library (dist/cjs): `npm test` builds it before jest runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { connectAsync } from '../../lib/node/connect.js';
import { FileInFlightStore } from '../../lib/node/file-in-flight-store.js';
import { assertDistBuilt, startChildClient } from '../helpers/child-client.js';
import { uniqueTopic, within } from '../helpers/client-utils.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';

jest.setTimeout(60_000);

/** How many times each message index appears in `lines` with the given prefix (e.g. 'M'). */
function tally(lines: readonly string[], prefix: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of lines) {
    const [tag, value] = line.split(' ');
    if (tag === prefix) counts.set(Number(value), (counts.get(Number(value)) ?? 0) + 1);
  }
  return counts;
}

/** Reads what a killed process left in its store: message index -> state. */
function storedMessages(path: string): Map<number, string> {
  const store = new FileInFlightStore(path);
  store.close();
  const held = new Map<number, string>();
  for (const { packet, state } of store.outbound()) held.set(Number(new TextDecoder().decode(packet.payload)), state);
  return held;
}

describeWithMosquitto('resilience: client process killed during QoS 2 flows (Mosquitto)', () => {
  let mosquitto: MosquittoInstance;
  let dir: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    assertDistBuilt();
    mosquitto = await startMosquitto({ persistence: true });
    dir = mkdtempSync(join(tmpdir(), 'rxmqtt-kill-'));
  });
  afterAll(async () => {
    for (const client of clients) await client.disconnect({ timeout: 1000 }).catch(() => undefined);
    await mosquitto?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a publisher killed between PUBREC and PUBCOMP (and again while resuming) delivers each message exactly once', async () => {
    const started = Date.now();
    const count = 3000;
    const topic = uniqueTopic('kill/pub');
    const store = join(dir, 'publisher.inflight');
    const subscriber = await connectAsync(mosquitto.url, { protocolVersion: 5 });
    clients.push(subscriber);
    const received = new Map<number, number>();
    const ended = new Promise<void>((resolve, reject) =>
      subscriber.subscribe(topic, { qos: 2 }).subscribe({
        next: (m) => {
          const body = m.text();
          if (body === 'end') resolve();
          else received.set(Number(body), (received.get(Number(body)) ?? 0) + 1);
        },
        error: reject,
      }),
    );
    await subscriber.publishAsync(`${topic}/barrier`, '', { qos: 1 }); // the subscription is in force
    const base = { url: mosquitto.url, clientId: `killed-publisher-${process.pid}`, store, topic };

    const first = startChildClient({ ...base, mode: 'publish', count, killAt: 700 });
    expect((await first.exited).signal).toBe('SIGKILL');
    const afterFirst = storedMessages(store);
    // The 700th PUBREC was recorded and the process died before its PUBCOMP could arrive.
    expect([...afterFirst.values()].filter((s) => s === 'pubrel').length).toBeGreaterThanOrEqual(1);

    const second = startChildClient({ ...base, mode: 'resume' });
    expect(await second.waitFor((l) => l.startsWith('ready'))).toBe('ready true');
    let resumed = 0;
    await second.waitFor((l) => l.startsWith('R ') && ++resumed === 1000);
    second.kill('SIGKILL'); // at an arbitrary moment while resuming
    const secondExit = await second.exited;
    const afterSecond = storedMessages(store);

    const third = startChildClient({ ...base, mode: 'resume' });
    expect(await third.waitFor((l) => l.startsWith('ready'))).toBe('ready true');
    await third.waitFor((l) => l === 'done');
    expect((await third.exited).code).toBe(0);
    await within(ended, 20000, 'the end marker at the subscriber');

    const completedFirst = tally(first.lines, 'C');
    const mustArrive = new Set<number>([...completedFirst.keys(), ...afterFirst.keys()]);
    const duplicates = [...received.values()].filter((n) => n > 1).length;
    const lost = [...mustArrive].filter((i) => !received.has(i));
    const unknown = [...received.keys()].filter((i) => !(i >= 0 && i < count));
    console.log(
      `resilience kill publisher (Mosquitto): messages=${count} acceptedBeforeKill=${mustArrive.size} ` +
        `heldAtKill1=${afterFirst.size} heldAtKill2=${afterSecond.size} kill2=${secondExit.signal ?? 'exited'} ` +
        `received=${received.size} lost=${lost.length} duplicates=${duplicates} ms=${Date.now() - started}`,
    );
    expect(lost).toEqual([]);
    expect(duplicates).toBe(0);
    expect(unknown).toEqual([]);
    expect(received.size).toBe(mustArrive.size);
  });

  it('a subscriber killed after delivering a QoS 2 message, before its PUBREC, does not get it again', async () => {
    const started = Date.now();
    const count = 3000;
    const topic = uniqueTopic('kill/sub');
    const store = join(dir, 'subscriber.inflight');
    const base = { url: mosquitto.url, clientId: `killed-subscriber-${process.pid}`, store, topic };
    const publisher = await connectAsync(mosquitto.url, { protocolVersion: 5 });
    clients.push(publisher);

    const first = startChildClient({ ...base, mode: 'subscribe', killAt: 1000 });
    await first.waitFor((l) => l.startsWith('ready'));
    const published = Promise.all(Array.from({ length: count }, (_, i) => publisher.publishAsync(topic, String(i), { qos: 2 })));
    expect((await first.exited).signal).toBe('SIGKILL');
    await published;
    const held = new FileInFlightStore(store);
    held.close();
    const heldInbound = [...held.inbound()].length;
    expect(heldInbound).toBeGreaterThanOrEqual(1); // the 1000th message's identifier, not yet released

    const second = startChildClient({ ...base, mode: 'subscribe' });
    expect(await second.waitFor((l) => l.startsWith('ready'))).toBe('ready true');
    await publisher.publishAsync(topic, 'end', { qos: 2 }); // after every queued message
    await second.waitFor((l) => l === 'done');
    expect((await second.exited).code).toBe(0);

    const delivered = tally([...first.lines, ...second.lines], 'M');
    const duplicates = [...delivered.values()].filter((n) => n > 1).length;
    const lost = Array.from({ length: count }, (_, i) => i).filter((i) => !delivered.has(i));
    console.log(
      `resilience kill subscriber (Mosquitto): messages=${count} beforeKill=${tally(first.lines, 'M').size} ` +
        `heldInboundIds=${heldInbound} lost=${lost.length} duplicates=${duplicates} ms=${Date.now() - started}`,
    );
    expect(tally(first.lines, 'M').size).toBe(1000);
    expect(lost).toEqual([]);
    expect(duplicates).toBe(0);
  });
});
