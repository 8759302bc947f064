import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { createOperatorSubscriber } from '../operators/operate.js';
import { InvalidArgumentError, TimeoutError } from '../errors.js';

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
  /**
   * True while the connection's reader is paused (the inbound window is full): the server's answer
   * cannot be seen then, so the response timeout does not count it as silent: it checks again
   * every `responseTimeoutMs`, and fires at the first check after reading resumed with still no
   * packet read. Default: never paused.
   */
  readonly isPaused?: () => boolean;
}

/**
 * The client's keep alive (MQTT section 3.1.2.10): when nothing has been sent for `intervalMs`,
 * send PINGREQ [MQTT-3.1.2-23] (3.1.1) [MQTT-3.1.2-20] (5.0); when nothing at all arrives within `responseTimeoutMs` after it, the
 * connection is dead.
 *
 * Cold: subscribing starts the idle timer (a send moves the deadline, a PINGREQ counts as a send);
 * it never emits, and completes only when `received` ends (the connection ended). Unsubscribing
 * stops the timers and sends nothing. It errors with a {@link TimeoutError} whose code is
 * `KEEPALIVE_TIMEOUT` when the server stays silent after a PINGREQ, and with whatever `ping` throws.
 * Throws {@link InvalidArgumentError} at once for a non-positive interval or timeout. While
 * `isPaused()` is true the response timeout does not fire: a paused reader cannot see PINGRESP.
 *
 * @example
 * ```ts
 * keepalive({ intervalMs: 60_000, responseTimeoutMs: 30_000, sent, received, ping: () => send({ type: 'pingreq' }) })
 *   .subscribe({ error: (e) => close(e) });
 * ```
 */
export function keepalive(options: KeepaliveOptions): Observable<never> {
  const { intervalMs, responseTimeoutMs, sent, received, ping, isPaused } = options;
  if (!(intervalMs > 0)) throw new InvalidArgumentError('intervalMs', `must be a positive number, got ${intervalMs}`);
  if (!(responseTimeoutMs > 0)) {
    throw new InvalidArgumentError('responseTimeoutMs', `must be a positive number, got ${responseTimeoutMs}`);
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<never>((subscriber) => {
    // A send only records the time (no timer is re-armed per packet: sends are the hot path).
    let lastSent = scheduler.now();
    let awaitingResponse = false;
    let timer: Subscription | undefined;
    const arm = (delay: number, action: () => void): void => {
      timer?.unsubscribe();
      timer = scheduler.schedule(action, delay);
    };
    const check = (): void => {
      const idle = scheduler.now() - lastSent;
      if (idle < intervalMs) {
        arm(intervalMs - idle, check);
        return;
      }
      awaitingResponse = true;
      lastSent = scheduler.now(); // the PINGREQ is a send
      try {
        ping();
      } catch (error) {
        subscriber.error(error); // from a timer: nobody else could catch it
        return;
      }
      const expire = (): void => {
        // A paused reader cannot see the answer: wait a full timeout again (after resuming too).
        if (isPaused?.() === true) {
          arm(responseTimeoutMs, expire);
          return;
        }
        subscriber.error(new TimeoutError('KEEPALIVE_TIMEOUT', `no packet from the server within ${responseTimeoutMs} ms after PINGREQ`));
      };
      arm(responseTimeoutMs, expire);
    };
    // Both subscriptions are children of `subscriber`: they end with it.
    const ignore = (): void => undefined; // the end of `sent` says nothing: `received` decides
    sent.subscribe(createOperatorSubscriber<unknown>(subscriber, { next: () => (lastSent = scheduler.now()), complete: ignore, error: ignore }));
    received.subscribe(
      createOperatorSubscriber<unknown>(subscriber, {
        next: () => {
          if (!awaitingResponse) return;
          awaitingResponse = false;
          arm(Math.max(0, intervalMs - (scheduler.now() - lastSent)), check);
        },
        complete: () => subscriber.complete(),
        error: () => subscriber.complete(),
      }),
    );
    if (!subscriber.closed) arm(intervalMs, check);
    return () => timer?.unsubscribe();
  });
}
