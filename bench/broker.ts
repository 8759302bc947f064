/**
 * Broker benchmark: this project's broker against Aedes, in one run.
 *
 * Each broker runs in its own child process (so its peak RSS is its own), started fresh for every
 * case. The parent connects an MQTT.js publisher and subscriber (MQTT 3.1.1) to it, sends MESSAGES
 * publishes of 64 B at QoS 0, 1 or 2 with at most 256 outstanding, and stops when the subscriber has
 * received them all. It reports messages/s (first publish to last delivery), the broker process's
 * peak RSS, the broker process's CPU time per message during the load (user + system), and the
 * rxmqtt/Aedes ratios. Each case runs ROUNDS times, alternating brokers; the
 * median is printed.
 *
 * Run: `npm run bench:broker` (options: --messages N --rounds N).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startBroker } from '../lib/broker/index.js';
import { startAedes } from './util/aedes.js';
import { formatRatio, printTable } from './util/table.js';
import { median, option } from './util/args.js';
import { mqttJsLoad } from './util/mqttjs-load.js';

type BrokerName = 'rxmqtt' | 'aedes';
type QoS = 0 | 1 | 2;

const PAYLOAD = 64;
const IN_FLIGHT = 256;
const LOAD_TIMEOUT_MS = 120_000;


/** Child process: starts one broker on a free loopback port, reports the port, later its peak RSS. */
async function brokerChild(name: BrokerName): Promise<void> {
  let port: number;
  let close: () => Promise<void>;
  if (name === 'rxmqtt') {
    const broker = await startBroker({ port: 0, limits: { maxInflight: IN_FLIGHT, maxQueuedMessages: 100_000 } });
    port = broker.port;
    close = () => broker.close();
  } else {
    const aedes = await startAedes();
    port = aedes.port;
    close = () => aedes.close();
  }
  let startCpu = process.cpuUsage();
  process.send?.({ port });
  process.on('message', (message: { type: string }) => {
    // CPU time is counted from the start of the load to its end, start-up excluded.
    if (message.type === 'go') startCpu = process.cpuUsage();
    if (message.type !== 'stop') return;
    void close().then(() => {
      const cpu = process.cpuUsage(startCpu);
      process.send?.({ peakRss: process.resourceUsage().maxRSS * 1024, cpuMs: (cpu.user + cpu.system) / 1000 });
      process.exit(0);
    });
  });
}

function startChild(name: BrokerName): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1] ?? '', ['--broker', name], { stdio: 'inherit' });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} broker exited with ${code} before it listened`)));
  });
}

function stopChild(child: ChildProcess): Promise<{ peakRss: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('broker child did not stop'));
    }, 10_000);
    child.once('message', (m: { peakRss: number; cpuMs: number }) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.send({ type: 'stop' });
  });
}

/** Runs the MQTT.js load against the broker on `port`; returns the seconds from first publish to last delivery. */
async function load(port: number, qos: QoS, count: number): Promise<number> {
  return mqttJsLoad({ port, qos, count, topic: `bench/broker/${qos}`, payloadBytes: PAYLOAD, inFlight: IN_FLIGHT, timeoutMs: LOAD_TIMEOUT_MS });
}


async function main(): Promise<void> {
  const count = option('messages', 50_000);
  const rounds = option('rounds', 3);
  console.log(`Broker: MQTT.js publisher -> broker -> MQTT.js subscriber, ${count} messages of ${PAYLOAD} B, <= ${IN_FLIGHT} in flight, median of ${rounds}, Node ${process.version}\n`);
  const rows: string[][] = [];
  for (const qos of [0, 1, 2] as const) {
    const rate: Record<BrokerName, number[]> = { rxmqtt: [], aedes: [] };
    const rss: Record<BrokerName, number[]> = { rxmqtt: [], aedes: [] };
    const cpu: Record<BrokerName, number[]> = { rxmqtt: [], aedes: [] };
    for (let round = 0; round < rounds; round++) {
      const order: BrokerName[] = round % 2 === 0 ? ['rxmqtt', 'aedes'] : ['aedes', 'rxmqtt'];
      for (const name of order) {
        const { child, port } = await startChild(name);
        child.send({ type: 'go' });
        const seconds = await load(port, qos, count);
        const stats = await stopChild(child);
        rss[name].push(stats.peakRss);
        cpu[name].push((stats.cpuMs * 1000) / count);
        rate[name].push(count / seconds);
      }
    }
    const mib = (b: number): string => (b / (1 << 20)).toFixed(1);
    rows.push([
      `QoS ${qos}`,
      median(rate.rxmqtt).toFixed(0),
      median(rate.aedes).toFixed(0),
      formatRatio(median(rate.rxmqtt), median(rate.aedes)),
      mib(median(rss.rxmqtt)),
      mib(median(rss.aedes)),
      formatRatio(median(rss.rxmqtt), median(rss.aedes)),
      median(cpu.rxmqtt).toFixed(1),
      median(cpu.aedes).toFixed(1),
      formatRatio(median(cpu.rxmqtt), median(cpu.aedes)),
    ]);
  }
  printTable(
    ['case', 'rxmqtt msg/s', 'Aedes msg/s', 'speed ratio', 'rxmqtt peak RSS MiB', 'Aedes peak RSS MiB', 'RSS ratio', 'rxmqtt CPU µs/msg', 'Aedes CPU µs/msg', 'CPU ratio'],
    rows,
  );
}

if (process.argv[2] === '--broker') {
  brokerChild(process.argv[3] as BrokerName).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
