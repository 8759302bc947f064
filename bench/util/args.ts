/**
 * Small helpers the benchmark scripts share: a positive integer option from the command line, and
 * the median of a set of figures.
 *
 * @example
 * ```ts
 * const rounds = option('rounds', 3); // --rounds 5 gives 5
 * median([3, 1, 2]);                  // 2
 * ```
 */

/** The value of `--name N` on the command line, or `fallback`; throws for anything but a positive integer. */
export function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** The median of `values` (the mean of the middle two for an even count; 0 for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
