/**
 * Broker fan-out benchmark: the rxmqtt broker, Mosquitto and Aedes driven by raw-socket load
 * generators that write pre-encoded MQTT 3.1.1 frames and only count (and acknowledge) what
 * arrives, so the broker is the bottleneck. Every broker and every generator role runs in a process
 * of its own.
 *
 * Shapes (QoS 0 and 1, 64 B payloads):
 * - fan-out: one publisher, 1000 subscribers of one topic;
 * - fan-in: 1000 publishers, one subscriber of `in/#`;
 * - pairs: 100 clients, each subscribing to its own topic and publishing to it;
 * - 1:1 pair with rxmqtt clients: one rxmqtt publisher, one rxmqtt subscriber (each in its own
 *   process; the only shape whose clients are not raw generators).
 * It prints deliveries per second, whether every acknowledged message arrived, the broker's RSS
 * growth per connection, and rxmqtt's ratios to the others.
 *
 * Run: `npm run bench:fanout` (options: --scale N, a divisor of the message counts for a quick run;
 * --only TEXT, the shapes whose name contains TEXT).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { startMosquitto } from '../spec/helpers/mosquitto.js';
import { framer } from './util/fake-broker.js';
import { startAedes } from './util/aedes.js';
import { rxPublisher, rxSubscriber } from './util/rx-pair.js';
import { formatRatio, printTable } from './util/table.js';
import { option } from './util/args.js';

type BrokerName = 'rxmqtt' | 'mosquitto' | 'aedes';
type QoS = 0 | 1;

const PAYLOAD = Buffer.alloc(64, 0x61);
const TIMEOUT_MS = 120_000;


// ---- frames (MQTT 3.1.1) ----
const str = (s: string): Buffer => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const frame = (header: number, body: Buffer): Buffer => {
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([header, ...len]), body]);
};
const connectFrame = (clientId: string): Buffer => frame(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 2, 0, 60]), str(clientId)]));
const subscribeFrame = (filter: string, qos: QoS): Buffer => frame(0x82, Buffer.concat([Buffer.from([0, 1]), str(filter), Buffer.from([qos])]));
const publishFrame = (topic: string, qos: QoS, id: number): Buffer =>
  frame(0x30 | (qos << 1), Buffer.concat([str(topic), qos > 0 ? Buffer.from([id >> 8, id & 0xff]) : Buffer.alloc(0), PAYLOAD]));

// ---- a raw connection that counts deliveries and acknowledges QoS 1 ----
interface RawConn {
  readonly socket: Socket;
  onPublish: (topic: string) => void;
  onAck: () => void;
  /** Queues a frame to go out in one write with the others produced by the same incoming chunk. */
  queue: (frame: Buffer) => void;
  ready: Promise<void>;
}

function rawConnection(port: number, clientId: string, filter?: string, qos: QoS = 0): Promise<RawConn> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let readyResolve: () => void = () => undefined;
    let out: Buffer[] = [];
    const conn: RawConn = { socket, onPublish: () => undefined, onAck: () => undefined, queue: (f) => void out.push(f), ready: new Promise((r) => (readyResolve = r)) };
    const feed = framer((first, id, body, at) => {
      const type = first >> 4;
      if (type === 2) {
        if (filter !== undefined) out.push(subscribeFrame(filter, qos));
        else readyResolve();
      } else if (type === 9) readyResolve();
      else if (type === 3) {
        const q = (first >> 1) & 3;
        const topicLength = body.readUInt16BE(at);
        if (q > 0) {
          const pid = body.readUInt16BE(at + 2 + topicLength);
          out.push(Buffer.from([0x40, 2, pid >> 8, pid & 0xff]));
        }
        conn.onPublish(body.toString('utf8', at + 2, at + 2 + topicLength));
      } else if (type === 4) conn.onAck();
      void id;
    });
    socket.on('data', (chunk: Buffer) => {
      feed(chunk);
      if (out.length > 0) {
        socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
        out = [];
      }
    });
    socket.once('connect', () => {
      socket.write(connectFrame(clientId));
      resolve(conn);
    });
    socket.once('error', reject);
  });
}

/** Opens `n` connections, a few at a time (a listen backlog of 1000 at once overflows). */
async function openMany(n: number, open: (i: number) => Promise<RawConn>): Promise<RawConn[]> {
  const conns: RawConn[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => open(i + k)));
    await Promise.all(batch.map((c) => c.ready));
    conns.push(...batch);
  }
  return conns;
}

/** Sends `count` publishes on `conn` to `topic`, at most `window` unacknowledged at QoS 1. */
function publishAll(conn: RawConn, topic: string, qos: QoS, count: number, window: number): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    let acked = 0;
    const batch = (n: number): void => {
      const frames: Buffer[] = [];
      for (let k = 0; k < n && sent < count; k++) frames.push(publishFrame(topic, qos, (sent++ % 65535) + 1));
      if (frames.length > 0) conn.socket.write(Buffer.concat(frames));
    };
    if (qos === 0) {
      // As fast as the socket drains.
      const pump = (): void => {
        while (sent < count) {
          batch(256);
          if (conn.socket.writableLength > 1 << 20) return void conn.socket.once('drain', pump);
        }
        resolve();
      };
      pump();
      return;
    }
    // The next publish leaves in the same write as the PUBACKs of the chunk that brought this ack.
    conn.onAck = () => {
      if (++acked === count) resolve();
      else if (sent < count) conn.queue(publishFrame(topic, qos, (sent++ % 65535) + 1));
    };
    batch(window);
  });
}

// ---- generator processes ----
type GenRole = 'subs' | 'pubs' | 'pairs' | 'rxsub' | 'rxpub';
interface GenArgs {
  readonly role: GenRole;
  readonly port: number;
  readonly clients: number;
  readonly qos: QoS;
  /** Deliveries this generator waits for (subs, pairs), or messages per client (pubs, pairs). */
  readonly expected: number;
  readonly perClient: number;
  readonly topic: string;
}

/** The rxmqtt-client roles: one subscriber (`expected` messages) or one publisher (`perClient`). */
async function rxGenerator(a: GenArgs): Promise<void> {
  const sub = a.role === 'rxsub' ? await rxSubscriber(a.port, a.topic, a.qos, a.expected) : undefined;
  const pub = a.role === 'rxpub' ? await rxPublisher(a.port, a.topic, a.qos, a.perClient, PAYLOAD.length) : undefined;
  process.send?.({ type: 'ready' });
  await new Promise<void>((r) => process.once('message', () => r()));
  const started = performance.now();
  await pub?.run();
  await sub?.all;
  process.send?.({ type: 'done', ms: performance.now() - started, delivered: sub?.received() ?? 0 });
  await (sub ?? pub)?.close();
}

async function generator(a: GenArgs): Promise<void> {
  if (a.role === 'rxsub' || a.role === 'rxpub') return rxGenerator(a);
  let delivered = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  const hit = (): void => void (++delivered === a.expected && done());
  const conns =
    a.role === 'subs'
      ? await openMany(a.clients, (i) => rawConnection(a.port, `fan-sub-${process.pid}-${i}`, a.topic, a.qos))
      : a.role === 'pairs'
        ? await openMany(a.clients, (i) => rawConnection(a.port, `pair-${process.pid}-${i}`, `${a.topic}/${i}`, a.qos))
        : await openMany(a.clients, (i) => rawConnection(a.port, `fan-pub-${process.pid}-${i}`));
  for (const c of conns) c.onPublish = hit;
  process.send?.({ type: 'ready' });
  await new Promise<void>((r) => process.once('message', () => r()));
  const started = performance.now();
  if (a.role === 'pubs') await Promise.all(conns.map((c) => publishAll(c, a.topic, a.qos, a.perClient, 64)));
  if (a.role === 'pairs') await Promise.all(conns.map((c, i) => publishAll(c, `${a.topic}/${i}`, a.qos, a.perClient, 64)));
  if (a.role !== 'pubs') await all;
  process.send?.({ type: 'done', ms: performance.now() - started, delivered });
  for (const c of conns) c.socket.destroy();
}

function startGenerator(a: GenArgs): { proc: ChildProcess; ready: Promise<void>; done: Promise<{ ms: number; delivered: number }> } {
  const proc = fork(process.argv[1] ?? '', ['--gen', JSON.stringify(a)], { stdio: 'inherit' });
  let ready: () => void = () => undefined;
  let finished: (v: { ms: number; delivered: number }) => void = () => undefined;
  const readyP = new Promise<void>((r) => (ready = r));
  const doneP = new Promise<{ ms: number; delivered: number }>((resolve, reject) => {
    finished = resolve;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${a.role} generator timed out`));
    }, TIMEOUT_MS);
    proc.once('exit', () => clearTimeout(timer));
  });
  proc.on('message', (m: { type: string; ms?: number; delivered?: number }) => {
    if (m.type === 'ready') ready();
    if (m.type === 'done') finished({ ms: m.ms ?? 0, delivered: m.delivered ?? 0 });
  });
  return { proc, ready: readyP, done: doneP };
}

// ---- brokers ----
interface RunningBroker {
  readonly port: number;
  /** Resident set size now, in bytes. */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

async function brokerChild(name: 'rxmqtt' | 'aedes'): Promise<void> {
  let port: number;
  if (name === 'rxmqtt') {
    const { startBroker } = await import('../lib/broker/index.js');
    const broker = await startBroker({ port: 0, limits: { maxQueuedMessages: 1_000_000, maxConnections: 5000, maxSessions: 5000 } });
    port = broker.port;
  } else {
    port = (await startAedes()).port;
  }
  // A clean exit on SIGTERM, so `node --cpu-prof` (BROKER_NODE_OPTIONS below) writes its profile.
  process.once('SIGTERM', () => process.exit(0));
  process.send?.({ port });
}

const rssOf = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
};

async function startBrokerNamed(name: BrokerName): Promise<RunningBroker> {
  if (name === 'mosquitto') {
    const m = await startMosquitto({ extraConfig: ['max_connections -1'] });
    return { port: m.port, rss: async () => rssOf(m.pid ?? 0), stop: () => m.dispose() };
  }
  // BROKER_NODE_OPTIONS: node flags for the Node brokers' processes only, e.g. "--cpu-prof --cpu-prof-dir=prof".
  const execArgv = (process.env.BROKER_NODE_OPTIONS ?? '').split(' ').filter((x) => x !== '');
  const proc = fork(process.argv[1] ?? '', ['--broker', name], { stdio: 'inherit', execArgv });
  const port = await new Promise<number>((resolve) => proc.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    port,
    rss: async () => rssOf(proc.pid ?? 0),
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface Shape {
  readonly name: string;
  readonly qos: QoS;
  readonly subs?: Omit<GenArgs, 'port' | 'role' | 'qos'>;
  readonly pubs?: Omit<GenArgs, 'port' | 'role' | 'qos'>;
  readonly pairs?: Omit<GenArgs, 'port' | 'role' | 'qos'>;
  /** Deliveries the run makes. */
  readonly deliveries: number;
  /** Connections whose RSS growth is reported (the subscribers of the fan-out). */
  readonly measureConnections?: number;
  /** Subscriber and publisher are rxmqtt clients (one each) instead of raw generators. */
  readonly rxClients?: boolean;
}

async function runShape(broker: BrokerName, shape: Shape): Promise<{ rate: number; lost: number; bytesPerConnection?: number }> {
  const b = await startBrokerNamed(broker);
  try {
    const baseline = await b.rss();
    const subs = shape.subs === undefined ? undefined : startGenerator({ ...shape.subs, role: shape.rxClients === true ? 'rxsub' : 'subs', port: b.port, qos: shape.qos });
    const pairs = shape.pairs === undefined ? undefined : startGenerator({ ...shape.pairs, role: 'pairs', port: b.port, qos: shape.qos });
    await subs?.ready;
    await pairs?.ready;
    const withConnections = await b.rss();
    const pubs = shape.pubs === undefined ? undefined : startGenerator({ ...shape.pubs, role: shape.rxClients === true ? 'rxpub' : 'pubs', port: b.port, qos: shape.qos });
    await pubs?.ready;
    const started = performance.now();
    for (const g of [subs, pairs, pubs]) g?.proc.send('go');
    const receiver = await (subs ?? pairs)!.done.catch(() => ({ ms: performance.now() - started, delivered: -1 }));
    await pubs?.done.catch(() => undefined);
    const ms = performance.now() - started;
    for (const g of [subs, pairs, pubs]) g?.proc.kill();
    return {
      rate: receiver.delivered < 0 ? 0 : shape.deliveries / (ms / 1000),
      lost: receiver.delivered < 0 ? shape.deliveries : shape.deliveries - receiver.delivered,
      bytesPerConnection: shape.measureConnections === undefined ? undefined : (withConnections - baseline) / shape.measureConnections,
    };
  } finally {
    await b.stop();
  }
}

async function main(): Promise<void> {
  const scale = option('scale', 1);
  // --only TEXT: just the shapes whose name contains TEXT (`--only 1:1`, `--only "pairs, QoS 1"`).
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  const shapes: Shape[] = [];
  for (const qos of [0, 1] as const) {
    const fanMessages = Math.max(1, Math.floor(200 / scale));
    shapes.push({
      name: `1 -> 1000 fan-out, QoS ${qos}`,
      qos,
      subs: { clients: 1000, expected: 1000 * fanMessages, perClient: 0, topic: 'fan/t' },
      pubs: { clients: 1, expected: 0, perClient: fanMessages, topic: 'fan/t' },
      deliveries: 1000 * fanMessages,
      measureConnections: 1000,
    });
    const inMessages = Math.max(1, Math.floor(100 / scale));
    shapes.push({
      name: `1000 -> 1 fan-in, QoS ${qos}`,
      qos,
      subs: { clients: 1, expected: 1000 * inMessages, perClient: 0, topic: 'in/#' },
      pubs: { clients: 1000, expected: 0, perClient: inMessages, topic: 'in/x' },
      deliveries: 1000 * inMessages,
    });
    const pairMessages = Math.max(1, Math.floor(1000 / scale));
    shapes.push({
      name: `100 pairs, QoS ${qos}`,
      qos,
      pairs: { clients: 100, expected: 100 * pairMessages, perClient: pairMessages, topic: 'pair' },
      deliveries: 100 * pairMessages,
    });
    const rxMessages = Math.max(1, Math.floor(100_000 / scale));
    shapes.push({
      name: `1:1 pair, rxmqtt clients, QoS ${qos}`,
      qos,
      subs: { clients: 1, expected: rxMessages, perClient: 0, topic: 'rx/pair' },
      pubs: { clients: 1, expected: 0, perClient: rxMessages, topic: 'rx/pair' },
      deliveries: rxMessages,
      rxClients: true,
    });
  }
  console.log(`Broker fan-out with raw-socket load generators (each role in its own process), 64 B, MQTT 3.1.1, Node ${process.version}\n`);
  const rows: string[][] = [];
  for (const shape of shapes.filter((x) => only === undefined || x.name.includes(only))) {
    const results: Partial<Record<BrokerName, { rate: number; lost: number; bytesPerConnection?: number }>> = {};
    for (const broker of ['rxmqtt', 'mosquitto', 'aedes'] as const) results[broker] = await runShape(broker, shape);
    const r = results as Record<BrokerName, { rate: number; lost: number; bytesPerConnection?: number }>;
    const kb = (x?: number): string => (x === undefined ? '' : `${(x / 1024).toFixed(0)} kB`);
    rows.push([
      shape.name,
      r.rxmqtt.rate.toFixed(0),
      r.mosquitto.rate.toFixed(0),
      r.aedes.rate.toFixed(0),
      formatRatio(r.rxmqtt.rate, r.mosquitto.rate),
      formatRatio(r.rxmqtt.rate, r.aedes.rate),
      `${r.rxmqtt.lost} / ${r.mosquitto.lost} / ${r.aedes.lost}`,
      `${kb(r.rxmqtt.bytesPerConnection)} / ${kb(r.mosquitto.bytesPerConnection)} / ${kb(r.aedes.bytesPerConnection)}`,
    ]);
  }
  printTable(['shape', 'rxmqtt deliveries/s', 'Mosquitto', 'Aedes', 'vs Mosquitto', 'vs Aedes', 'lost (rx / mosq / aedes)', 'RSS per connection (rx / mosq / aedes)'], rows);
}

const [, , mode, arg] = process.argv;
const fail = (error: unknown): void => {
  console.error(error);
  process.exit(1);
};
if (mode === '--gen') generator(JSON.parse(arg ?? '{}') as GenArgs).then(() => process.exit(0), fail);
else if (mode === '--broker') brokerChild(arg as 'rxmqtt' | 'aedes').catch(fail);
else main().then(() => process.exit(0), fail);
