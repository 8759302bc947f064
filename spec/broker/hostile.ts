/**
 * Test helpers for the hostile-client suites: raw clients that completed CONNECT, the n-th packet
 * received, and a broker with a bystander whose round trip is checked after every case.
 */
import type { MqttClient } from 'mqtt';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import type { Packet } from '../../lib/codec/packet';
import { endAll, messages, mqttjs, uniqueId } from './mqttjs';
import { MemoryProbe, exactGc, type MemoryReport } from './memory-probe';
import { RawClient } from './raw-client';

/** A topic or filter of `n` levels, `x/x/.../last`. */
export const deep = (n: number, last = 'x'): string => [...Array<string>(n - 1).fill('x'), last].join('/');

/** A raw client that has completed CONNECT (CONNACK 0 checked) on `version`. */
export async function connected(broker: BrokerHandle, version: 4 | 5, clientId = uniqueId('raw')): Promise<RawClient> {
  const c = await RawClient.open(broker.port);
  c.send({ type: 'connect', protocolVersion: version, clientId, cleanStart: true, keepAlive: 60 }, version);
  const [connack] = await c.packets(1, version);
  expect(connack).toMatchObject({ type: 'connack', reasonCode: 0 });
  return c;
}

/** The `n`-th packet (1-based) the raw client received, once it has arrived. */
export async function nth(c: RawClient, n: number, version: 4 | 5): Promise<Packet> {
  return (await c.packets(n, version))[n - 1];
}

/** Memory bounds for one case, in MB above its start (see MemoryProbe). */
export interface MemoryBounds {
  /** Heap plus Buffers still held after the case and a full GC. Default 8. */
  readonly retainedMB?: number;
  /** Highest heap plus Buffers while the case ran. Default 64. */
  readonly peakMB?: number;
}

export interface Hostile {
  readonly broker: BrokerHandle;
  /** Sets the running case's bounds (checked after it). */
  bound(bounds: MemoryBounds): void;
  /** The running case's memory so far. */
  memory(): MemoryReport;
}

/**
 * Starts a broker and a bystander. Around every case the process's memory is measured (after a
 * full GC; without one the bounds triple) and checked against the case's bounds, and then the
 * bystander's QoS 1 round trip must still work. With MEMORY_REPORT=1 the figures are printed.
 */
export function withBystander(options: Parameters<typeof startBroker>[0], defaults: MemoryBounds = {}): Hostile {
  let broker: BrokerHandle | undefined;
  let bystander: MqttClient;
  let rounds = 0;
  let bounds: MemoryBounds = {};
  const probe = new MemoryProbe();
  const lines: string[] = [];
  beforeAll(async () => {
    broker = await startBroker(options);
    bystander = await mqttjs(broker.url, { protocolVersion: 5, clientId: uniqueId('bystander') });
    await bystander.subscribeAsync('alive', { qos: 1 });
  });
  afterAll(async () => {
    await endAll();
    await broker?.close();
    if (process.env.MEMORY_REPORT !== undefined && lines.length > 0) console.log(`memory per case (MB; gc ${exactGc ? 'exact' : 'unavailable'})\n${lines.join('\n')}`);
  });
  beforeEach(async () => {
    bounds = { retainedMB: 8, peakMB: 64, ...defaults };
    await probe.start();
  });
  afterEach(async () => {
    rounds += 1;
    await bystander.publishAsync('alive', String(rounds), { qos: 1 });
    const got = await messages(bystander, rounds, (t) => t === 'alive');
    expect(got[rounds - 1].payload).toBe(String(rounds));
    // The case's clients are gone once the broker has seen them close (on a busy machine that can
    // take a while); what they held is only then garbage.
    const broker = state();
    for (let waited = 0; waited < 3000 && broker.connectedClients.length > 1; waited += 10) await new Promise((r) => setTimeout(r, 10));
    const report = await probe.stop();
    const slack = exactGc ? 1 : 3;
    lines.push(`${report.retainedMB.toFixed(1).padStart(6)} retained ${report.peakMB.toFixed(1).padStart(6)} peak ${report.peakRssMB.toFixed(1).padStart(6)} peak RSS  ${expect.getState().currentTestName ?? ''}`);
    expect(report.retainedMB).toBeLessThan((bounds.retainedMB ?? 8) * slack);
    expect(report.peakMB).toBeLessThan((bounds.peakMB ?? 64) * slack);
  });
  const state = (): BrokerHandle => {
    if (broker === undefined) throw new Error('the broker starts in beforeAll');
    return broker;
  };
  return {
    get broker(): BrokerHandle {
      return state();
    },
    bound: (b) => void (bounds = { ...bounds, ...b }),
    memory: () => probe.now(),
  };
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function utf8(s: string): number[] {
  const b = [...Buffer.from(s)];
  return [b.length >> 8, b.length & 0xff, ...b];
}

/**
 * A hand-made SUBSCRIBE (the encoder refuses invalid filters): each filter with its options byte
 * (the QoS for 3.1.1), and for 5.0 an empty property block.
 */
export function subscribeBytes(version: 4 | 5, packetId: number, filters: readonly (readonly [string, number])[]): number[] {
  const body = [packetId >> 8, packetId & 0xff, ...(version === 5 ? [0] : []), ...filters.flatMap(([f, o]) => [...utf8(f), o])];
  return [0x82, ...varint(body.length), ...body];
}

/** A hand-made UNSUBSCRIBE, which the encoder would refuse for invalid filters. */
export function unsubscribeBytes(version: 4 | 5, packetId: number, filters: readonly string[]): number[] {
  const body = [packetId >> 8, packetId & 0xff, ...(version === 5 ? [0] : []), ...filters.flatMap(utf8)];
  return [0xa2, ...varint(body.length), ...body];
}
