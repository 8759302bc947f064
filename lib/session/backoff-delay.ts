import { InvalidArgumentError } from '../errors.js';

/** The bounds of the reconnect backoff, in milliseconds: attempt n waits a random time between minDelay and minDelay * 2^n, capped at maxDelay. */
export interface BackoffBounds {
  /** The shortest wait and the base of the exponential growth. Default 1000. */
  readonly minDelay?: number;
  /** The longest wait. Default 30 000. */
  readonly maxDelay?: number;
}

/** Default shortest wait before a reconnect attempt, in milliseconds. */
export const DEFAULT_MIN_DELAY = 1000;
/** Default longest wait before a reconnect attempt, in milliseconds. */
export const DEFAULT_MAX_DELAY = 30_000;

/**
 * The wait before reconnect attempt `attempt` (1 for the first retry): exponential backoff with
 * full jitter. The ceiling doubles with each attempt, `min(maxDelay, minDelay * 2^attempt)`, and
 * the wait is drawn uniformly between `minDelay` and that ceiling, so clients that lost the same
 * broker at the same moment spread their reconnects instead of arriving together.
 *
 * Pure: the same `attempt` and `random()` value give the same delay (pass a fixed `random` in
 * tests). Throws InvalidArgumentError for an attempt below 1 or bounds that are not
 * `0 <= minDelay <= maxDelay`.
 *
 * @example
 * ```ts
 * backoffDelay(1, { minDelay: 1000, maxDelay: 30_000 }, () => 0.5); // 1500: between 1000 and 2000
 * backoffDelay(10, { minDelay: 1000, maxDelay: 30_000 }, () => 1); // 30000: capped
 * ```
 */
export function backoffDelay(attempt: number, bounds: BackoffBounds = {}, random: () => number = Math.random): number {
  if (!(Number.isInteger(attempt) && attempt >= 1)) {
    throw new InvalidArgumentError('attempt', `must be an integer >= 1, got ${String(attempt)}`);
  }
  const { minDelay, maxDelay } = resolveBackoffBounds(bounds);
  // 2^attempt overflows to Infinity for large attempts, which the cap turns back into maxDelay.
  const ceiling = Math.min(maxDelay, minDelay * 2 ** attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(minDelay + r * (ceiling - minDelay));
}

/** Fills in the defaults and validates; throws InvalidArgumentError naming `reconnect.minDelay` / `reconnect.maxDelay`. */
export function resolveBackoffBounds(bounds: BackoffBounds): Required<BackoffBounds> {
  const minDelay = bounds.minDelay ?? DEFAULT_MIN_DELAY;
  const maxDelay = bounds.maxDelay ?? Math.max(DEFAULT_MAX_DELAY, minDelay);
  if (!(typeof minDelay === 'number' && Number.isFinite(minDelay) && minDelay >= 0)) {
    throw new InvalidArgumentError('reconnect.minDelay', `must be a number of milliseconds >= 0, got ${String(minDelay)}`);
  }
  if (!(typeof maxDelay === 'number' && Number.isFinite(maxDelay) && maxDelay >= minDelay)) {
    throw new InvalidArgumentError('reconnect.maxDelay', `must be a number of milliseconds >= minDelay (${minDelay}), got ${String(maxDelay)}`);
  }
  return { minDelay, maxDelay };
}
