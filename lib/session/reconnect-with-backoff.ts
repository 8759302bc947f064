import { asyncScheduler, catchError, concat, EMPTY, NEVER, race, retry, take, throwError, timer, type MonoTypeOperatorFunction, type Observable, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { backoffDelay, resolveBackoffBounds, type BackoffBounds } from './backoff-delay.js';

/** The reconnect policy of a client (`ClientOptions.reconnect`). */
export interface ReconnectOptions extends BackoffBounds {
  /** Attempts after a failure before giving up; the count starts again after each successful connection. Default Infinity. */
  readonly maxAttempts?: number;
  /**
   * Each value during a wait cuts it short and reconnects at once (e.g. `pageWakeups()`: the page is
   * visible again, the network is back). Values while connected or connecting do nothing; its
   * completion or error leaves the waits to run their course.
   */
  readonly trigger$?: Observable<unknown>;
  /** The random source of the jitter, a number in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /**
   * Client policy (the operator itself ignores it): also retry when the very first connection fails
   * (unreachable broker, refused or timed out), e.g. for an app that may start offline. Default
   * false: the first failure closes the client with its error, so `connectAsync` rejects promptly.
   */
  readonly retryInitialConnect?: boolean;
}

/** One scheduled reconnect: its number (1 = first after the failure), the wait in ms and the error that caused it. */
export interface ReconnectAttempt {
  readonly attempt: number;
  readonly delay: number;
  readonly cause: unknown;
}

/** Options of {@link reconnectWithBackoff}: the policy plus the hooks the client plugs in. */
export interface ReconnectWithBackoffOptions extends ReconnectOptions {
  /** Whether `error` may be retried at all (default: every error). */
  readonly shouldRetry?: (error: unknown) => boolean;
  /** Called when a retry is scheduled, before the wait starts. */
  readonly onRetry?: (attempt: ReconnectAttempt) => void;
  /** Time source of the waits (a TestScheduler in tests). Default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Resubscribes to the source after it errors, waiting {@link backoffDelay} (exponential backoff with
 * full jitter) before each attempt, or less when `trigger$` emits meanwhile. A value from the source
 * (a connection made) resets the attempt count. The error passes through, ending the retries, when
 * `shouldRetry` rejects it or when `maxAttempts` attempts failed in a row; completion passes through.
 *
 * Cold, like `retry`: subscribing subscribes to the source; unsubscribing during a wait cancels it.
 * Throws InvalidArgumentError for invalid options (names `reconnect.*`).
 *
 * @example
 * ```ts
 * connection$.pipe(
 *   reconnectWithBackoff({ minDelay: 500, maxDelay: 10_000, trigger$: pageWakeups() }),
 * ).subscribe(onConnected);
 * ```
 */
export function reconnectWithBackoff<T>(options: ReconnectWithBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  const bounds = resolveBackoffBounds(options);
  const maxAttempts = options.maxAttempts ?? Infinity;
  if (!(typeof maxAttempts === 'number' && maxAttempts >= 0 && (Number.isInteger(maxAttempts) || maxAttempts === Infinity))) {
    throw new InvalidArgumentError('reconnect.maxAttempts', `must be an integer >= 0 or Infinity, got ${String(maxAttempts)}`);
  }
  const { trigger$, onRetry, shouldRetry } = options;
  if (trigger$ !== undefined && typeof (trigger$ as { subscribe?: unknown }).subscribe !== 'function') {
    throw new InvalidArgumentError('reconnect.trigger$', 'expected an Observable');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new InvalidArgumentError('reconnect.random', 'expected a function returning a number in [0, 1)');
  const scheduler = options.scheduler ?? asyncScheduler;
  const cut$ = trigger$ === undefined ? undefined : concat(trigger$.pipe(take(1), catchError(() => EMPTY)), NEVER);
  return retry<T>({
    resetOnSuccess: true,
    delay: (error: unknown, attempt: number) => {
      if (attempt > maxAttempts || (shouldRetry !== undefined && !shouldRetry(error))) return throwError(() => error);
      const delay = backoffDelay(attempt, bounds, random);
      onRetry?.({ attempt, delay, cause: error });
      const wait = timer(delay, scheduler);
      if (cut$ === undefined) return wait;
      // race() follows whichever notifies first, completion too: a trigger$ that ends or fails
      // without a value must not end the retries, so it is made to wait on instead.
      return race(wait, cut$);
    },
  });
}
