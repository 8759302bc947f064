import { asyncScheduler, defer, finalize, Observable, retry, throwError, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { backoffDelay, resolveBackoffBounds, type BackoffBounds } from './backoff-delay.js';

/** The reconnect policy of a client (`ClientOptions.reconnect`). */
export interface ReconnectOptions extends BackoffBounds {
  /** Attempts after a failure before giving up; the count starts again after each successful connection. Default Infinity. */
  readonly maxAttempts?: number;
  /**
   * Each value during a wait cuts it short and reconnects at once (e.g. `pageWakeups()`: the page is
   * visible again, the network is back). A value while connected or connecting counts for the next
   * wait if that starts within 10 s (the wake-up that revealed a dead link, or that came just before
   * the browser closed the socket): it is skipped. Each value ends at most one wait. Its completion
   * or error leaves the waits to run their course.
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

/** How long a trigger$ value heard while connected or connecting still ends the next wait at once. */
const RECENT_TRIGGER_MS = 10_000;

/** One scheduled reconnect: its number (1 = first after the failure), the wait in ms and the error that caused it. */
export interface ReconnectAttempt {
  /** 1 for the first attempt since the connection was lost (or the first one failed), then 2, 3, ... */
  readonly attempt: number;
  /** Milliseconds waited before this attempt (0 when a trigger cut the wait short). */
  readonly delay: number;
  /** The error that ended the previous connection or attempt. */
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
 * full jitter) before each attempt, or less when `trigger$` emits meanwhile (or emitted at most 10 s
 * before the wait began: then the attempt is made at once, reported with delay 0). A value from the source
 * (a connection made) resets the attempt count. The error passes through, ending the retries, when
 * `shouldRetry` rejects it or when `maxAttempts` attempts failed in a row; completion passes through.
 *
 * Cold, like `retry`: subscribing subscribes to the source (and to `trigger$`, for as long as the
 * result is subscribed); unsubscribing cancels a wait and unsubscribes from both.
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
  const wait = (error: unknown, attempt: number, recentTrigger: boolean): Observable<unknown> => {
    if (attempt > maxAttempts || (shouldRetry !== undefined && !shouldRetry(error))) return throwError(() => error);
    const delay = recentTrigger ? 0 : backoffDelay(attempt, bounds, random);
    onRetry?.({ attempt, delay, cause: error });
    return timer(delay, scheduler);
  };
  if (trigger$ === undefined) return retry<T>({ resetOnSuccess: true, delay: (error: unknown, attempt: number) => wait(error, attempt, false) });
  return (source) =>
    defer(() => {
      let heardAt = -Infinity; // a trigger$ value heard while no wait ran, not used yet
      let cut: (() => void) | undefined; // ends the current wait
      // One subscription for the operator's lifetime (not one per wait): a value heard while
      // connected still counts for a wait that starts soon after. Its end or error stops nothing.
      const listening = trigger$.subscribe({
        next: () => (cut !== undefined ? cut() : (heardAt = scheduler.now())),
        error: () => undefined,
      });
      return source.pipe(
        retry<T>({
          resetOnSuccess: true,
          delay: (error: unknown, attempt: number) => {
            const recent = scheduler.now() - heardAt <= RECENT_TRIGGER_MS;
            heardAt = -Infinity;
            const waited = wait(error, attempt, recent);
            return new Observable<void>((subscriber) => {
              const done = (): void => {
                cut = undefined;
                subscriber.next();
                subscriber.complete();
              };
              cut = done;
              const running = waited.subscribe({ next: done, error: (e: unknown) => subscriber.error(e) });
              return () => {
                running.unsubscribe();
                if (cut === done) cut = undefined;
              };
            });
          },
        }),
        finalize(() => listening.unsubscribe()),
      );
    });
}
