/**
 * End-to-end benchmark: rxmqtt and MQTT.js against the same private Mosquitto in one run.
 *
 * For each library and QoS 0, 1 and 2, a child process (so that peak RSS is the library's own)
 * connects one publisher and one subscriber, sends MESSAGES publishes of PAYLOAD bytes with at most
 * IN_FLIGHT publishes outstanding, and stops when the subscriber has received them all. It reports
 * messages/s (first publish to last delivery), the CPU time the process spent per message in
 * that span (publisher and subscriber together; steadier than wall time on a busy machine, lower is
 * better) and its peak RSS. Each case runs ROUNDS times, alternating libraries; the median is
 * printed with the rxmqtt/MQTT.js ratios.
 *
 * Run: `npm run bench:e2e` (options: --messages N --rounds N).
 */
import { fork } from 'node:child_process';
import { startMosquitto } from '../spec/helpers/mosquitto.js';
import { peakRss } from './util/peak-rss.js';
import { formatRatio, printTable } from './util/table.js';
import { median, option } from './util/args.js';

type Library = 'rxmqtt' | 'mqtt.js';
type QoS = 0 | 1 | 2;

interface RunResult {
  readonly library: Library;
  readonly qos: QoS;
  readonly received: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** CPU time (user + system) this process spent per message during the run, in microseconds. */
  readonly cpuMicrosPerMessage: number;
  readonly peakRssMiB: number;
}

/** What a run measured: wall time and the process's CPU time between the first publish and the last delivery. */
interface Timing {
  readonly seconds: number;
  readonly cpuMicros: number;
}

function startTiming(): () => Timing {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpuMicros: used.user + used.system };
  };
}

const PAYLOAD = 64;
const IN_FLIGHT = 256;
const CHILD_TIMEOUT_MS = 120_000;


/** Resolves when `count` messages arrived; rejects when fewer arrived within the time limit. */
function arrivals(count: number, timeoutMs: number): { hit(): void; all: Promise<void>; seen(): number } {
  let seen = 0;
  let resolve: () => void = () => undefined;
  let reject: (e: Error) => void = () => undefined;
  const all = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  const timer = setTimeout(() => reject(new Error(`only ${seen} of ${count} messages arrived in ${timeoutMs} ms`)), timeoutMs);
  return {
    hit: () => {
      if (++seen === count) {
        clearTimeout(timer);
        resolve();
      }
    },
    all,
    seen: () => seen,
  };
}

/**
 * Sends `count` publishes with at most IN_FLIGHT outstanding; `publishOne(done)` starts one and
 * calls `done(error?)` when it completed. The same driver serves both libraries, so neither pays
 * for the other's way of queueing.
 */
function pump(count: number, publishOne: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let completed = 0;
    let outstanding = 0;
    let failed = false;
    let filling = false;
    const onDone = (error?: unknown): void => {
      if (failed) return;
      if (error) {
        failed = true;
        reject(error);
        return;
      }
      outstanding--;
      if (++completed === count) resolve();
      else fill();
    };
    // A publish may complete synchronously (QoS 0 written at once): the running loop then goes on
    // instead of recursing.
    const fill = (): void => {
      if (filling) return;
      filling = true;
      while (!failed && outstanding < IN_FLIGHT && sent < count) {
        sent++;
        outstanding++;
        publishOne(onDone);
      }
      filling = false;
    };
    fill();
  });
}

// Each child loads only the library it measures (dynamic imports), so peak RSS is that library's.
async function runRxmqtt(url: string, qos: QoS, count: number): Promise<Timing> {
  const { connectAsync } = await import('../lib/node/index.js');
  const [publisher, subscriber] = await Promise.all([connectAsync(url, { clientId: 'bench-rx-pub' }), connectAsync(url, { clientId: 'bench-rx-sub' })]);
  const topic = `bench/rxmqtt/${qos}`;
  const done = arrivals(count, CHILD_TIMEOUT_MS - 10_000);
  const subscription = subscriber.subscribe(topic, { qos }).subscribe(() => done.hit());
  // Same connection order: the SUBSCRIBE is in force once this PUBACK is back.
  await subscriber.publishAsync('bench/barrier', '', { qos: 1 });
  const payload = new Uint8Array(PAYLOAD).fill(0x61);
  const stop = startTiming();
  const observer = (done: (error?: unknown) => void) => ({ complete: () => done(), error: (error: unknown) => done(error) });
  await pump(count, (done) => publisher.publish(topic, payload, { qos }).subscribe(observer(done)));
  await done.all;
  const timing = stop();
  subscription.unsubscribe();
  await Promise.all([publisher.disconnect(), subscriber.disconnect()]);
  return timing;
}

async function runMqttJs(url: string, qos: QoS, count: number): Promise<Timing> {
  const mqtt = await import('mqtt');
  const options = { protocolVersion: 4 as const, reconnectPeriod: 0 };
  const [publisher, subscriber] = await Promise.all([
    mqtt.connectAsync(url, { ...options, clientId: 'bench-js-pub' }),
    mqtt.connectAsync(url, { ...options, clientId: 'bench-js-sub' }),
  ]);
  const topic = `bench/mqttjs/${qos}`;
  const done = arrivals(count, CHILD_TIMEOUT_MS - 10_000);
  subscriber.on('message', () => done.hit());
  await subscriber.subscribeAsync(topic, { qos });
  const payload = Buffer.alloc(PAYLOAD, 0x61);
  const stop = startTiming();
  await pump(count, (done) => publisher.publish(topic, payload, { qos }, (error) => done(error)));
  await done.all;
  const timing = stop();
  await Promise.all([publisher.endAsync(), subscriber.endAsync()]);
  return timing;
}

/** Child process: one library, one QoS; sends its result to the parent. */
async function child(library: Library, qos: QoS, url: string, count: number): Promise<void> {
  const { seconds, cpuMicros } = library === 'rxmqtt' ? await runRxmqtt(url, qos, count) : await runMqttJs(url, qos, count);
  const result: RunResult = {
    library,
    qos,
    received: count,
    seconds,
    messagesPerSecond: count / seconds,
    cpuMicrosPerMessage: cpuMicros / count,
    peakRssMiB: peakRss() / 1024 / 1024,
  };
  if (process.send) process.send(result);
  else console.log(JSON.stringify(result));
}

function runChild(library: Library, qos: QoS, url: string, count: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(process.argv[1] ?? '', ['--child', library, String(qos), url, String(count)], { stdio: 'inherit' });
    let result: RunResult | undefined;
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.on('message', (message) => (result = message as RunResult));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolve(result);
      else reject(new Error(`${library} QoS ${qos} child failed with ${code ?? signal}`));
    });
  });
}


async function main(): Promise<void> {
  const count = option('messages', 50_000);
  const rounds = option('rounds', 3);
  const broker = await startMosquitto();
  const rows: string[][] = [];
  try {
    console.log(`End to end through Mosquitto (${broker.url}): ${count} messages of ${PAYLOAD} B, <= ${IN_FLIGHT} in flight, median of ${rounds}, Node ${process.version}\n`);
    for (const qos of [0, 1, 2] as const) {
      const runs: Record<Library, RunResult[]> = { rxmqtt: [], 'mqtt.js': [] };
      for (let round = 0; round < rounds; round++) {
        const order: Library[] = round % 2 === 0 ? ['rxmqtt', 'mqtt.js'] : ['mqtt.js', 'rxmqtt'];
        for (const library of order) runs[library].push(await runChild(library, qos, broker.url, count));
      }
      const summary = (results: readonly RunResult[]) => ({
        rate: median(results.map((r) => r.messagesPerSecond)),
        cpu: median(results.map((r) => r.cpuMicrosPerMessage)),
        rss: median(results.map((r) => r.peakRssMiB)),
      });
      const ours = summary(runs.rxmqtt);
      const theirs = summary(runs['mqtt.js']);
      rows.push([
        `QoS ${qos}`,
        ours.rate.toFixed(0),
        theirs.rate.toFixed(0),
        formatRatio(ours.rate, theirs.rate),
        ours.cpu.toFixed(1),
        theirs.cpu.toFixed(1),
        formatRatio(ours.cpu, theirs.cpu),
        ours.rss.toFixed(1),
        theirs.rss.toFixed(1),
        formatRatio(ours.rss, theirs.rss),
      ]);
    }
  } finally {
    await broker.dispose();
  }
  printTable(['case', 'rxmqtt msg/s', 'MQTT.js msg/s', 'speed ratio', 'rxmqtt CPU µs/msg', 'MQTT.js CPU µs/msg', 'CPU ratio', 'rxmqtt peak RSS MiB', 'MQTT.js peak RSS MiB', 'RSS ratio'], rows);
}

if (process.argv[2] === '--child') {
  const [, , , library, qos, url, count] = process.argv;
  child(library as Library, Number(qos) as QoS, url ?? '', Number(count)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
