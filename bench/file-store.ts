/**
 * FileInFlightStore benchmark: the cost of one QoS 2 flow's store writes, as the publisher makes
 * them (PUBLISH stored, PUBREC recorded as state `pubrel`, entry removed at PUBCOMP), against the
 * MemoryInFlightStore in the same run, with and without `fsync`.
 *
 * Run: `npm run bench:store` (options `--quick` for a short smoke run, `--json` for raw figures,
 * `--sizes=64,16384` for other payload sizes).
 *
 * The PUBREC step passes a fresh entry object holding a fresh packet object (as callers do, for
 * example a flow resumed from the store), so a store that recognises "only the state moved on" by
 * object identity rewrites the whole PUBLISH there. Figures: flows per second (median of timed
 * rounds after a warm-up, elapsed time: this is I/O), microseconds per flow, and the bytes appended
 * to the file per flow (counted with compaction off).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishPacket } from '../lib/codec/packet.js';
import { FileInFlightStore } from '../lib/node/file-in-flight-store.js';
import type { InFlightStore } from '../lib/session/in-flight-store.js';
import { MemoryInFlightStore } from '../lib/session/memory-in-flight-store.js';
import { formatBytes, formatRate, measure, type MeasureOptions } from './util/measure.js';
import { printTable } from './util/table.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const sizes = (args.find((a) => a.startsWith('--sizes='))?.slice('--sizes='.length) ?? '64,4096,65536').split(',').map(Number);
const timing: MeasureOptions = quick ? { warmupMs: 50, rounds: 3, roundMs: 50 } : { warmupMs: 300, rounds: 7, roundMs: 300 };
const fsyncTiming: MeasureOptions = quick ? { warmupMs: 20, rounds: 3, roundMs: 50 } : { warmupMs: 200, rounds: 5, roundMs: 400 };

const dir = mkdtempSync(join(tmpdir(), 'rxmqtt-bench-store-'));

function template(size: number): PublishPacket {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
  return { type: 'publish', topic: 'sensors/building-1/floor-3/temperature', payload, qos: 2, retain: false, dup: false };
}

/** One QoS 2 flow's store writes. Returns 1 (one flow). */
function flow(store: InFlightStore, base: PublishPacket, packetId: number): number {
  const packet: PublishPacket = { ...base, packetId };
  store.putOutbound({ packet, state: 'publish' }); // before PUBLISH is sent
  store.putOutbound({ packet: { ...packet, dup: false }, state: 'pubrel' }); // on PUBREC, before PUBREL
  store.deleteOutbound(packetId); // on PUBCOMP
  return 1;
}

function runner(store: InFlightStore, base: PublishPacket): () => number {
  let id = 0;
  return () => flow(store, base, (id = (id % 65535) + 1));
}

/** Bytes the file grows by per flow, compaction off. */
function bytesPerFlow(base: PublishPacket): number {
  const path = join(dir, `count-${base.payload.length}.inflight`);
  const store = new FileInFlightStore(path, { compactAfter: Number.MAX_SAFE_INTEGER });
  const before = statSync(path).size;
  const flows = 100;
  for (let i = 1; i <= flows; i++) flow(store, base, i);
  const after = statSync(path).size;
  store.close();
  return (after - before) / flows;
}

interface Row {
  size: number;
  fsync: boolean;
  fileFlowsPerSecond: number;
  memoryFlowsPerSecond: number;
  bytesPerFlow: number;
}

const rows: Row[] = [];
try {
  for (const size of sizes) {
    const base = template(size);
    const memory = measure(runner(new MemoryInFlightStore(), base), timing).median;
    for (const fsync of [false, true]) {
      const store = new FileInFlightStore(join(dir, `bench-${size}-${fsync}.inflight`), { fsync });
      const file = measure(runner(store, base), fsync ? fsyncTiming : timing).median;
      store.close();
      rows.push({ size, fsync, fileFlowsPerSecond: file, memoryFlowsPerSecond: memory, bytesPerFlow: bytesPerFlow(base) });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`FileInFlightStore: one QoS 2 flow (put PUBLISH, PUBREC state change, delete), Node ${process.version}\n`);
printTable(
  ['payload', 'fsync', 'file store', 'µs per flow', 'bytes written per flow', 'memory store', 'memory / file'],
  rows.map((r) => [
    formatBytes(r.size),
    r.fsync ? 'on' : 'off',
    formatRate(r.fileFlowsPerSecond),
    (1e6 / r.fileFlowsPerSecond).toFixed(r.fileFlowsPerSecond > 1e5 ? 2 : 1),
    String(Math.round(r.bytesPerFlow)),
    formatRate(r.memoryFlowsPerSecond),
    `${(r.memoryFlowsPerSecond / r.fileFlowsPerSecond).toFixed(0)}x`,
  ]),
);
if (json) console.log(JSON.stringify(rows, null, 2));
