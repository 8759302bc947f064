import {
  asyncScheduler,
  defaultIfEmpty,
  defer,
  EMPTY,
  of,
  ignoreElements,
  repeat,
  startWith,
  switchMap,
  take,
  tap,
  throwError,
  timeout,
  timer,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { InvalidArgumentError, TimeoutError } from '../errors.js';

const ENDED = Symbol('ended');

/** Options of {@link keepalive}. */
export interface KeepaliveOptions {
  /** The keep alive interval in milliseconds (the CONNECT's or the server's Keep Alive times 1000). */
  readonly intervalMs: number;
  /** How long to wait for any packet after a PINGREQ before the connection counts as dead. */
  readonly responseTimeoutMs: number;
  /** Hot: emits whenever the client sends a packet. */
  readonly sent: Observable<unknown>;
  /** Hot: emits whenever a packet arrives. */
  readonly received: Observable<unknown>;
  /** Sends one PINGREQ. */
  readonly ping: () => void;
  /** Time source (a TestScheduler in tests). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * The client's keep alive (MQTT section 3.1.2.10): when nothing has been sent for `intervalMs`,
 * send PINGREQ [MQTT-3.1.2-23]; when nothing at all arrives within `responseTimeoutMs` after it, the
 * connection is dead.
 *
 * Cold: subscribing starts the idle timer (every send restarts it); it never emits, and completes
 * only when `received` completes (the connection ended). Unsubscribing stops the timers and sends
 * nothing. It errors with a {@link TimeoutError} whose code is `KEEPALIVE_TIMEOUT` when the server stays silent after a PINGREQ.
 * Throws {@link InvalidArgumentError} at once for a non-positive interval or timeout.
 *
 * @example
 * ```ts
 * keepalive({ intervalMs: 60_000, responseTimeoutMs: 30_000, sent, received, ping: () => send({ type: 'pingreq' }) })
 *   .subscribe({ error: (e) => close(e) });
 * ```
 */
export function keepalive(options: KeepaliveOptions): Observable<never> {
  const { intervalMs, responseTimeoutMs, sent, received, ping } = options;
  if (!(intervalMs > 0)) throw new InvalidArgumentError('intervalMs', `must be a positive number, got ${intervalMs}`);
  if (!(responseTimeoutMs > 0)) {
    throw new InvalidArgumentError('responseTimeoutMs', `must be a positive number, got ${responseTimeoutMs}`);
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  const dead = (): Observable<never> =>
    throwError(
      () => new TimeoutError('KEEPALIVE_TIMEOUT', `no packet from the server within ${responseTimeoutMs} ms after PINGREQ`),
    );
  return defer(() => {
    let connectionEnded = false;
    // One cycle: wait until nothing was sent for intervalMs, ping, wait for any packet.
    const cycle = sent.pipe(
      startWith(undefined),
      switchMap(() => timer(intervalMs, scheduler)),
      take(1),
      tap(() => ping()),
      switchMap(() =>
        received.pipe(
          take(1),
          timeout({ first: responseTimeoutMs, scheduler, with: dead }),
          defaultIfEmpty(ENDED),
          tap((value) => (connectionEnded = value === ENDED)),
        ),
      ),
    );
    // The next cycle starts when something arrived; a finished `received` stream ends keep alive.
    return cycle.pipe(
      repeat({ delay: () => (connectionEnded ? EMPTY : of(0)) }),
      ignoreElements(),
    );
  });
}
