/**
 * Memory figures for benchmarks.
 *
 * - {@link peakRss} is the process's peak resident set size so far, from the operating system
 *   (`process.resourceUsage().maxRSS`); it sees allocations made inside synchronous loops.
 * - {@link RssSampler} samples `process.memoryUsage.rss()` on a timer while asynchronous work runs
 *   (an end-to-end run, a broker under load) and reports the peak seen between start and stop,
 *   which isolates one phase of a longer process.
 *
 * @example
 * ```ts
 * const sampler = new RssSampler(20).start();
 * await runLoad();
 * console.log(formatBytes(sampler.stop()), 'peak RSS during the load');
 * ```
 */

/** Peak resident set size of this process since it started, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Samples the resident set size every `intervalMs` while started; `stop()` returns the peak in bytes. */
export class RssSampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private peak = 0;

  constructor(private readonly intervalMs = 25) {
    if (!(intervalMs > 0)) throw new RangeError('RssSampler: intervalMs must be > 0');
  }

  /** Starts sampling (taking a first sample at once). Returns `this` for chaining. */
  start(): this {
    this.stopTimer();
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Takes a sample now; call it at points of interest inside synchronous phases. */
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling and returns the peak resident set size seen, in bytes. */
  stop(): number {
    this.sample();
    this.stopTimer();
    return this.peak;
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
