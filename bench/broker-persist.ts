/**
 * Broker persistence benchmark: the cost of `persistence` for QoS 1 and 2 traffic to a persistent
 * session, against the same broker without persistence, in one run.
 *
 * The broker runs in its own child process, started fresh (with an empty directory) for every case:
 * in memory, with `persistence` and `fsync: 'never'` (written to the operating system before each
 * acknowledgement), with `fsync: 100` (flushed to the disk every 100 ms) and with `fsync: 'always'`
 * (flushed before each acknowledgement). The parent connects an MQTT.js publisher and an MQTT.js
 * subscriber with Clean Session 0 (so its session, queue and in-flight messages are written), sends
 * MESSAGES publishes of 64 B at QoS 1 or 2 with at most 256 outstanding, and stops when the
 * subscriber has received them all. It reports messages/s (first publish to last delivery), the
 * broker process's CPU time per message, the ratio to the in-memory broker, and the size of the log
 * after the broker closed (compacted: the subscriber's session only).
 *
 * Run: `npm run bench:broker-persist` (options: --messages N --rounds N).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../lib/broker/index.js';
import { median, option } from './util/args.js';
import { formatRatio, printTable } from './util/table.js';
import { mqttJsLoad } from './util/mqttjs-load.js';

type Mode = 'memory' | 'never' | 'interval' | 'always';
const MODES: readonly Mode[] = ['memory', 'never', 'interval', 'always'];
const LABEL: Record<Mode, string> = { memory: 'in memory', never: "fsync 'never'", interval: 'fsync 100 ms', always: "fsync 'always'" };
const PAYLOAD = 64;
const IN_FLIGHT = 256;
const LOAD_TIMEOUT_MS = 300_000;

/** Child process: one broker on a free loopback port; reports the port, later its CPU time. */
async function brokerChild(mode: Mode, dir: string): Promise<void> {
  const fsync = mode === 'interval' ? 100 : mode === 'always' ? 'always' : 'never';
  const broker = await startBroker({
    port: 0,
    limits: { maxInflight: IN_FLIGHT, maxQueuedMessages: 1_000_000 },
    ...(mode === 'memory' ? {} : { persistence: { dir, fsync } }),
  });
  let startCpu = process.cpuUsage();
  process.send?.({ port: broker.port });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'go') startCpu = process.cpuUsage();
    if (message.type !== 'stop') return;
    const cpu = process.cpuUsage(startCpu);
    void broker.close().then(() => {
      process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 });
      process.exit(0);
    });
  });
}

function startChild(mode: Mode, dir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1] ?? '', ['--broker', mode, dir], { stdio: 'inherit' });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`broker (${mode}) exited with ${code} before it listened`)));
  });
}

function stopChild(child: ChildProcess): Promise<{ cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('broker child did not stop'));
    }, 30_000);
    child.once('message', (m: { cpuMs: number }) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.send({ type: 'stop' });
  });
}

/** The MQTT.js load; returns the seconds from the first publish to the last delivery. */
async function load(port: number, qos: 1 | 2, count: number): Promise<number> {
  return mqttJsLoad({ port, qos, count, topic: `bench/persist/${qos}`, payloadBytes: PAYLOAD, inFlight: IN_FLIGHT, timeoutMs: LOAD_TIMEOUT_MS, persistentSubscriber: true });
}

async function main(): Promise<void> {
  const count = option('messages', 20_000);
  const rounds = option('rounds', 3);
  console.log(
    `Broker persistence: MQTT.js publisher -> broker -> MQTT.js subscriber (Clean Session 0), ${count} messages of ${PAYLOAD} B, ` +
      `<= ${IN_FLIGHT} in flight, median of ${rounds}, Node ${process.version}\n`,
  );
  const rows: string[][] = [];
  for (const qos of [1, 2] as const) {
    const rate = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    const cpu = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    const logBytes = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const dir = mkdtempSync(join(tmpdir(), 'rxmqtt-bench-persist-'));
        try {
          const { child, port } = await startChild(mode, dir);
          child.send({ type: 'go' });
          const seconds = await load(port, qos, count);
          const stats = await stopChild(child);
          rate.get(mode)?.push(count / seconds);
          cpu.get(mode)?.push((stats.cpuMs * 1000) / count);
          if (mode !== 'memory') logBytes.get(mode)?.push(statSync(join(dir, 'broker.log')).size);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    const base = median(rate.get('memory') ?? []);
    const baseCpu = median(cpu.get('memory') ?? []);
    for (const mode of MODES) {
      const r = median(rate.get(mode) ?? []);
      const c = median(cpu.get(mode) ?? []);
      rows.push([
        `QoS ${qos}`,
        LABEL[mode],
        r.toFixed(0),
        formatRatio(r, base),
        c.toFixed(1),
        formatRatio(c, baseCpu),
        mode === 'memory' ? '-' : median(logBytes.get(mode) ?? []).toFixed(0),
      ]);
    }
  }
  printTable(['case', 'broker', 'msg/s', 'vs memory', 'CPU µs/msg', 'CPU vs memory', 'log bytes after close'], rows);
}

const brokerFlag = process.argv.indexOf('--broker');
if (brokerFlag >= 0) {
  void brokerChild(process.argv[brokerFlag + 1] as Mode, process.argv[brokerFlag + 2] ?? '');
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
