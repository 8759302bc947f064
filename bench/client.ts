/**
 * Client benchmark: rxmqtt and MQTT.js against a fake broker that costs almost nothing, so the
 * client is the bottleneck (bench/util/fake-broker.ts, in its own process).
 *
 * Cases: one subscriber receiving, or one publisher sending, MESSAGES messages of 64 B at QoS 0, 1
 * and 2 over MQTT 3.1.1, with at most WINDOW unacknowledged (the fake broker's window for a
 * subscriber; the application's for a publisher). Each library runs in its own child process, so
 * CPU time and peak RSS are its own. A bare socket that only frames, counts and acknowledges the
 * same bytes gives the raw limit of the set-up. Each case runs ROUNDS times, libraries alternating;
 * medians are printed with the rxmqtt/MQTT.js ratios and rxmqtt's share of the raw limit.
 *
 * A second table puts the subscriber with `ack: 'manual'` (acking each message at once) beside the
 * `ack: 'auto'` one at QoS 1 and 2: what manual acknowledgement costs in rate and in CPU per message.
 *
 * Run: `npm run bench:client` (options: --messages N --rounds N).
 */
import { fork } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { BENCH_TOPIC, PAYLOAD_BYTES, framer, publishFrames, startFakeBroker, type QoS, type Role } from './util/fake-broker.js';
import { peakRss } from './util/peak-rss.js';
import { formatRatio, printTable } from './util/table.js';
import { median, option } from './util/args.js';

/** `rxmqtt-manual`: a subscriber with `ack: 'manual'` that acks each message as it arrives. */
type Library = 'raw' | 'rxmqtt' | 'rxmqtt-manual' | 'mqtt.js';

interface RunResult {
  readonly messagesPerSecond: number;
  readonly cpuMicrosPerMessage: number;
  readonly peakRssMiB: number;
}

const WINDOW = 256;
const CHILD_TIMEOUT_MS = 120_000;


/** A promise resolved by the `count`-th call of `hit()`. */
function counter(count: number): { hit(): void; all: Promise<void> } {
  let seen = 0;
  let resolve: () => void = () => undefined;
  const all = new Promise<void>((res) => (resolve = res));
  return { hit: () => void (++seen === count && resolve()), all };
}

/** Starts `count` operations with at most WINDOW outstanding; `one(done)` starts one. */
function pump(count: number, one: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let started = 0;
    let completed = 0;
    let filling = false;
    const done = (error?: unknown): void => {
      if (error) return reject(error);
      if (++completed === count) resolve();
      else fill();
    };
    const fill = (): void => {
      if (filling) return;
      filling = true;
      while (started < count && started - completed < WINDOW) {
        started++;
        one(done);
      }
      filling = false;
    };
    fill();
  });
}

/** Runs one library in this (child) process; resolves with the work's wall and CPU time. */
async function measure(library: Library, role: Role, qos: QoS, port: number, count: number): Promise<{ seconds: number; cpuMicros: number }> {
  const url = `mqtt://127.0.0.1:${port}`;
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(0x61);
  let start = 0;
  let cpu = process.cpuUsage();
  const begin = (): void => {
    start = performance.now();
    cpu = process.cpuUsage();
  };
  if (library === 'rxmqtt' || library === 'rxmqtt-manual') {
    const { connectAsync } = await import('../lib/node/index.js');
    // The same window as the application's pump (3.1.1 would otherwise keep 20 in flight).
    const client = await connectAsync(url, { clientId: `bench-rx-${role}`, reconnect: false, maxInFlight: WINDOW });
    if (role === 'sub') {
      const arrived = counter(count);
      begin();
      const subscription =
        library === 'rxmqtt'
          ? client.subscribe(BENCH_TOPIC, { qos }).subscribe(() => arrived.hit())
          : client.subscribe(BENCH_TOPIC, { qos, ack: 'manual' }).subscribe((message) => {
              message.ack();
              arrived.hit();
            });
      await arrived.all;
      subscription.unsubscribe();
    } else {
      begin();
      const observer = (done: (error?: unknown) => void) => ({ complete: () => done(), error: (e: unknown) => done(e) });
      await pump(count, (done) => client.publish(BENCH_TOPIC, payload, { qos }).subscribe(observer(done)));
    }
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - start) / 1000;
    await client.disconnect({ timeout: 1000 });
    return { seconds, cpuMicros: used.user + used.system };
  }
  if (library === 'mqtt.js') {
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync(url, { clientId: `bench-js-${role}`, protocolVersion: 4, reconnectPeriod: 0 });
    const buffer = Buffer.from(payload);
    if (role === 'sub') {
      const arrived = counter(count);
      client.on('message', () => arrived.hit());
      begin();
      await client.subscribeAsync(BENCH_TOPIC, { qos });
      await arrived.all;
    } else {
      begin();
      await pump(count, (done) => client.publish(BENCH_TOPIC, buffer, { qos }, (e) => done(e)));
    }
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - start) / 1000;
    await client.endAsync();
    return { seconds, cpuMicros: used.user + used.system };
  }
  return measureRaw(role, qos, port, count);
}

/** The raw limit: a socket that frames and counts, and answers or sends pre-encoded frames. */
function measureRaw(role: Role, qos: QoS, port: number, count: number): Promise<{ seconds: number; cpuMicros: number }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const clientId = Buffer.from('bench-raw');
    const connectBody = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, clientId.length, ...clientId]);
    const topic = Buffer.from(BENCH_TOPIC);
    const subscribeBody = Buffer.from([0, 1, 0, topic.length, ...topic, qos]);
    const frames = publishFrames(qos, 65535);
    let start = 0;
    let cpu = process.cpuUsage();
    let done = 0;
    let sent = 0;
    let nextId = 0;
    const finish = (): void => {
      const used = process.cpuUsage(cpu);
      const seconds = (performance.now() - start) / 1000;
      socket.end(Buffer.from([0xe0, 0]));
      resolve({ seconds, cpuMicros: used.user + used.system });
    };
    const nextFrame = (): Buffer => {
      sent++;
      const f = frames[qos === 0 ? 0 : nextId];
      nextId = (nextId + 1) % frames.length;
      return f;
    };
    const publishSome = (): void => {
      const out: Buffer[] = [];
      while (sent < count && (qos === 0 ? out.length < 512 : sent - done < WINDOW)) out.push(nextFrame());
      if (out.length > 0 && !socket.write(Buffer.concat(out)) && qos === 0) socket.once('drain', publishSome);
      else if (qos === 0 && sent < count) setImmediate(publishSome);
      else if (qos === 0) setImmediate(finish);
    };
    let out: Buffer[] = [];
    const feed = framer((first, id, body, at) => {
      const type = first >> 4;
      if (type === 2) {
        start = performance.now();
        cpu = process.cpuUsage();
        if (role === 'sub') socket.write(Buffer.concat([Buffer.from([0x82, subscribeBody.length]), subscribeBody]));
        else publishSome();
      } else if (type === 3) {
        const q = (first >> 1) & 3;
        if (q > 0) {
          const pid = body.readUInt16BE(at + 2 + body.readUInt16BE(at));
          out.push(Buffer.from([q === 1 ? 0x40 : 0x50, 2, pid >> 8, pid & 0xff]));
        }
        if (q < 2 && ++done === count) finish();
      } else if (type === 6) {
        out.push(Buffer.from([0x70, 2, id >> 8, id & 0xff])); // PUBREL -> PUBCOMP
        if (++done === count) finish();
      } else if (type === 5) {
        out.push(Buffer.from([0x62, 2, id >> 8, id & 0xff])); // PUBREC -> PUBREL
      } else if (type === 4 || type === 7) {
        if (++done === count) finish();
        else if (sent < count) out.push(nextFrame());
      }
    });
    socket.on('data', (chunk: Buffer) => {
      feed(chunk);
      if (out.length > 0) {
        socket.write(Buffer.concat(out));
        out = [];
      }
    });
    socket.once('error', reject);
    socket.write(Buffer.concat([Buffer.from([0x10, connectBody.length]), connectBody]));
  });
}

async function child(library: Library, role: Role, qos: QoS, count: number): Promise<void> {
  const port = await startFakeBrokerChild(role, qos, count);
  const { seconds, cpuMicros } = await measure(library, role, qos, port.port, count);
  port.stop();
  const result: RunResult = { messagesPerSecond: count / seconds, cpuMicrosPerMessage: cpuMicros / count, peakRssMiB: peakRss() / 1024 / 1024 };
  process.send?.(result);
}

/** The fake broker runs in a process of its own, so its CPU time is not the client's. */
function startFakeBrokerChild(role: Role, qos: QoS, count: number): Promise<{ port: number; stop(): void }> {
  return new Promise((resolve, reject) => {
    const proc = fork(process.argv[1] ?? '', ['--broker', role, String(qos), String(count)], { stdio: 'inherit' });
    proc.once('message', (port) => resolve({ port: port as number, stop: () => proc.kill() }));
    proc.once('error', reject);
  });
}

function runChild(library: Library, role: Role, qos: QoS, count: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(process.argv[1] ?? '', ['--child', library, role, String(qos), String(count)], { stdio: 'inherit' });
    let result: RunResult | undefined;
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.on('message', (message) => (result = message as RunResult));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result);
      else reject(new Error(`${library} ${role} QoS ${qos} failed with ${code ?? signal}`));
    });
  });
}


interface Figures {
  readonly rate: number;
  readonly cpu: number;
  readonly rss: number;
}

const summarise = (results: readonly RunResult[]): Figures => ({
  rate: median(results.map((r) => r.messagesPerSecond)),
  cpu: median(results.map((r) => r.cpuMicrosPerMessage)),
  rss: median(results.map((r) => r.peakRssMiB)),
});

async function main(): Promise<void> {
  const count = option('messages', 100_000);
  const rounds = option('rounds', 3);
  console.log(`Client alone against a fake broker: ${count} messages of ${PAYLOAD_BYTES} B, MQTT 3.1.1, window ${WINDOW}, median of ${rounds}, Node ${process.version}\n`);
  const rows: string[][] = [];
  const manualRows: string[][] = [];
  for (const role of ['sub', 'pub'] as const) {
    for (const qos of [0, 1, 2] as const) {
      const manual = role === 'sub' && qos > 0;
      const runs: Record<Library, RunResult[]> = { raw: [], rxmqtt: [], 'rxmqtt-manual': [], 'mqtt.js': [] };
      for (let round = 0; round < rounds; round++) {
        const order: Library[] = round % 2 === 0 ? ['raw', 'rxmqtt', 'mqtt.js'] : ['mqtt.js', 'rxmqtt', 'raw'];
        if (manual) order.splice(round % 2 === 0 ? 2 : 1, 0, 'rxmqtt-manual');
        for (const library of order) runs[library].push(await runChild(library, role, qos, count));
      }
      const raw = summarise(runs.raw);
      const ours = summarise(runs.rxmqtt);
      const theirs = summarise(runs['mqtt.js']);
      rows.push([
        `${role === 'sub' ? 'subscriber' : 'publisher'} QoS ${qos}`,
        raw.rate.toFixed(0),
        ours.rate.toFixed(0),
        theirs.rate.toFixed(0),
        formatRatio(ours.rate, theirs.rate),
        `${((ours.rate / raw.rate) * 100).toFixed(0)}%`,
        ours.cpu.toFixed(2),
        theirs.cpu.toFixed(2),
        ours.rss.toFixed(1),
        theirs.rss.toFixed(1),
      ]);
      if (manual) {
        const acked = summarise(runs['rxmqtt-manual']);
        manualRows.push([
          `subscriber QoS ${qos}`,
          ours.rate.toFixed(0),
          acked.rate.toFixed(0),
          `${((ours.rate / acked.rate - 1) * 100).toFixed(1)}%`,
          ours.cpu.toFixed(2),
          acked.cpu.toFixed(2),
          `${((acked.cpu / ours.cpu - 1) * 100).toFixed(1)}%`,
          acked.rss.toFixed(1),
        ]);
      }
    }
  }
  printTable(['case', 'raw msg/s', 'rxmqtt msg/s', 'MQTT.js msg/s', 'rxmqtt/MQTT.js', 'rxmqtt/raw', 'rxmqtt CPU µs/msg', 'MQTT.js CPU µs/msg', 'rxmqtt RSS MiB', 'MQTT.js RSS MiB'], rows);
  console.log(`\nManual acknowledgement (ack: 'manual', each message acked as it arrives) against ack: 'auto'; cost = auto/manual rate - 1, manual/auto CPU - 1:\n`);
  printTable(['case', 'auto msg/s', 'manual msg/s', 'rate cost', 'auto CPU µs/msg', 'manual CPU µs/msg', 'CPU cost', 'manual RSS MiB'], manualRows);
}

const [, , mode, a, b, c, d] = process.argv;
const fail = (error: unknown): void => {
  console.error(error);
  process.exit(1);
};
if (mode === '--broker') {
  startFakeBroker(a as Role, Number(b) as QoS, Number(c), WINDOW).then((port) => process.send?.(port), fail);
} else if (mode === '--child') {
  child(a as Library, b as Role, Number(c) as QoS, Number(d)).then(() => process.exit(0), fail);
} else {
  main().catch(fail);
}
