/**
 * Test helper: what a case costs in memory. The broker runs in the test's process, so the figures
 * are this process's: `retained` is heap plus array buffers (Node Buffers) still held after the
 * case and a full GC; `peak` the highest heap plus array buffers seen while it ran (sampled every
 * 20 ms), `peakRss` the same for the resident set. All in MB above the figure at the start.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full GC: `global.gc` when node runs with --expose-gc, else V8's own through its flag. */
function findGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const gc = findGc();

/** True when figures are taken after a full GC; when false, callers should use generous bounds. */
export const exactGc = gc !== undefined;

const MB = 1024 * 1024;

export interface MemoryReport {
  readonly retainedMB: number;
  readonly peakMB: number;
  readonly peakRssMB: number;
}

function held(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function settle(): Promise<void> {
  // Sockets closed by the case release their buffers on a later turn; array buffers are freed
  // after the collection that finds them dead, so collect twice.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc?.();
  await new Promise((resolve) => setImmediate(resolve));
  gc?.();
}

/** Samples memory from `start()` to `stop()`. */
export class MemoryProbe {
  private base = 0;
  private baseRss = 0;
  private peak = 0;
  private peakRss = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  async start(): Promise<void> {
    await settle();
    this.base = this.peak = held();
    this.baseRss = this.peakRss = process.memoryUsage.rss();
    this.timer = setInterval(() => this.sample(), 20);
  }

  /** The figures so far (the case may check its peak before cleaning up). */
  now(): MemoryReport {
    this.sample();
    return { retainedMB: (held() - this.base) / MB, peakMB: (this.peak - this.base) / MB, peakRssMB: (this.peakRss - this.baseRss) / MB };
  }

  async stop(): Promise<MemoryReport> {
    this.sample();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await settle();
    return { retainedMB: (held() - this.base) / MB, peakMB: (this.peak - this.base) / MB, peakRssMB: (this.peakRss - this.baseRss) / MB };
  }

  private sample(): void {
    const h = held();
    if (h > this.peak) this.peak = h;
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }
}
