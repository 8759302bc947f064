/**
 * A small, general timing loop for micro and macro benchmarks.
 *
 * `measure` calibrates how many calls of `run` fill one round of about `roundMs`, warms up (so the
 * JIT has compiled and optimised the code), then times `rounds` rounds and reports the median
 * operations per second; `measurePair` does the same for two contenders with interleaved rounds.
 * `run` returns how many operations one call performed (for example the
 * number of packets a buffer held), so a call may batch many operations to keep the loop's own cost
 * out of the figure.
 *
 * @example
 * ```ts
 * const r = measure(() => { decoder.write(buffer, onPacket); return packetsPerBuffer; });
 * console.log(formatRate(r.median)); // e.g. "4.12 M/s"
 * ```
 */

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Time spent running before anything is recorded. Default 300 ms. */
  readonly warmupMs?: number;
  /** Number of timed rounds; the median is reported. Default 7. */
  readonly rounds?: number;
  /** Target length of one round. Default 200 ms. */
  readonly roundMs?: number;
  /**
   * What a round's duration is measured in. `'wall'` (default) is elapsed time: right for anything
   * that waits on I/O. `'cpu'` is the CPU time this process used (all its threads, so garbage
   * collection counts): right for synchronous work on a machine other programs also load, where
   * elapsed time mostly measures how much of a core the scheduler happened to give.
   */
  readonly clock?: 'wall' | 'cpu';
}

/** The outcome of {@link measure}: operations per second. */
export interface Measurement {
  /** Median of the rounds' operations per second. */
  readonly median: number;
  /** Slowest and fastest round, to show the spread. */
  readonly min: number;
  readonly max: number;
  /** Operations per second of every round, in the order they ran. */
  readonly rounds: readonly number[];
}

/** Milliseconds on the chosen clock. */
const wallNow = (): number => Number(process.hrtime.bigint()) / 1e6;
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** A sink the optimiser cannot see through: benchmarks pass results here so they are not dropped. */
export let blackhole: unknown;
/** Stores `value` where the optimiser cannot prove it unused. */
export function consume(value: unknown): void {
  blackhole = value;
}

function settings(options: MeasureOptions): Required<MeasureOptions> {
  const warmupMs = options.warmupMs ?? 300;
  const rounds = options.rounds ?? 7;
  const roundMs = options.roundMs ?? 200;
  const clock = options.clock ?? 'wall';
  if (!(rounds >= 1) || !(roundMs > 0) || !(warmupMs >= 0)) throw new RangeError('measure: rounds >= 1, roundMs > 0, warmupMs >= 0');
  if (clock !== 'wall' && clock !== 'cpu') throw new RangeError(`measure: clock must be 'wall' or 'cpu'`);
  return { warmupMs, rounds, roundMs, clock };
}

/** Warms `run` up for `warmupMs` and returns how many calls fill one round of `roundMs`. */
function calibrate(run: () => number, warmupMs: number, roundMs: number, now: () => number): number {
  let calls = 0;
  const start = now();
  do {
    run();
    calls++;
  } while (now() - start < warmupMs || calls < 3);
  const perCall = (now() - start) / calls;
  return Math.max(1, Math.round(roundMs / Math.max(perCall, 1e-6)));
}

/** Times one round of `calls` calls; returns operations per second. */
function round(run: () => number, calls: number, now: () => number): number {
  let ops = 0;
  const start = now();
  for (let i = 0; i < calls; i++) ops += run();
  return (ops * 1000) / (now() - start);
}

function summarise(rates: number[]): Measurement {
  const sorted = [...rates].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1], rounds: rates };
}

/** Times `run` (which returns the number of operations it performed) and reports operations/s. */
export function measure(run: () => number, options: MeasureOptions = {}): Measurement {
  const { warmupMs, rounds, roundMs, clock } = settings(options);
  const now = clock === 'cpu' ? cpuNow : wallNow;
  const calls = calibrate(run, warmupMs, roundMs, now);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) rates.push(round(run, calls, now));
  return summarise(rates);
}

/**
 * Times two contenders with their rounds interleaved (A B, B A, A B, ...), so that a change of load
 * on a shared machine, or a garbage collection left over by one side, weighs on both alike. Use it
 * for every "ours against theirs" figure.
 *
 * @example
 * ```ts
 * const [ours, theirs] = measurePair(encodeOurs, encodeTheirs);
 * console.log(formatRatio(ours.median, theirs.median));
 * ```
 */
export function measurePair(a: () => number, b: () => number, options: MeasureOptions = {}): [Measurement, Measurement] {
  const { warmupMs, rounds, roundMs, clock } = settings(options);
  const now = clock === 'cpu' ? cpuNow : wallNow;
  const callsA = calibrate(a, warmupMs, roundMs, now);
  const callsB = calibrate(b, warmupMs, roundMs, now);
  const ratesA: number[] = [];
  const ratesB: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ratesA.push(round(a, callsA, now));
      ratesB.push(round(b, callsB, now));
    } else {
      ratesB.push(round(b, callsB, now));
      ratesA.push(round(a, callsA, now));
    }
  }
  return [summarise(ratesA), summarise(ratesB)];
}

/** Formats an operations-per-second figure compactly: `812 k/s`, `4.12 M/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** Formats a byte count: `512 B`, `64 KiB`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${Math.round(bytes / (1 << 10))} KiB`;
  return `${bytes} B`;
}
