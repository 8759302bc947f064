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
  /**
   * Hot: each value asks "is the link still alive?" now (the page became visible again, the
   * network came back: see `pageWakeups()`). It sends a PINGREQ at once and waits `probeTimeoutMs`
   * for any packet, unless an answer to an earlier PINGREQ is already due sooner. Its completion or
   * error only ends the probing. Default: no probes.
   */
  readonly probe$?: Observable<unknown>;
  /** How long a probe waits for any packet after its PINGREQ. Default `min(responseTimeoutMs, 5000)`. */
  readonly probeTimeoutMs?: number;
}

/**
 * A timer counts as late when it ran more than half its delay (and more than this) after it was
 * due: the page was frozen or its timers throttled (background tabs run timers once a minute), or
 * the event loop was blocked. A late timer proves nothing about the link.
 */
const LATE_SLACK_MS = 1000;

/**
 * The client's keep alive (MQTT section 3.1.2.10): when nothing has been sent for `intervalMs`,
 * send PINGREQ [MQTT-3.1.2-23] (3.1.1) [MQTT-3.1.2-20] (5.0); when nothing at all arrives within
 * `responseTimeoutMs` after it, the connection is dead.
 *
 * Late timers (throttled background tabs, frozen pages, a blocked event loop): a timer that runs
 * more than half its delay (and at least a second) after it was due never declares the connection
 * dead. A late ping timer sends PINGREQ at once; a late response timer sends PINGREQ again; both
 * then wait a fresh response deadline measured from now. Only a deadline that passed on time counts.
 *
 * Cold: subscribing starts the idle timer (a send moves the deadline, a PINGREQ counts as a send);
 * it never emits, and completes only when `received` ends (the connection ended). Unsubscribing
 * stops the timers and the probes and sends nothing. It errors with a {@link TimeoutError} whose
 * code is `KEEPALIVE_TIMEOUT` when the server stays silent after a PINGREQ, and with whatever
 * `ping` throws. Throws {@link InvalidArgumentError} at once for a non-positive interval or
 * timeout, or a `probe$` that is not an Observable. While `isPaused()` is true the response
 * timeout does not fire: a paused reader cannot see PINGRESP.
 *
 * @example
 * ```ts
 * keepalive({ intervalMs: 60_000, responseTimeoutMs: 30_000, sent, received, ping: () => send({ type: 'pingreq' }), probe$: pageWakeups() })
 *   .subscribe({ error: (e) => close(e) });
 * ```
 */
export function keepalive(options: KeepaliveOptions): Observable<never> {
  const { intervalMs, responseTimeoutMs, sent, received, ping, isPaused, probe$ } = options;
  if (!(intervalMs > 0)) throw new InvalidArgumentError('intervalMs', `must be a positive number, got ${intervalMs}`);
  if (!(responseTimeoutMs > 0)) {
    throw new InvalidArgumentError('responseTimeoutMs', `must be a positive number, got ${responseTimeoutMs}`);
  }
  const probeTimeoutMs = options.probeTimeoutMs ?? Math.min(responseTimeoutMs, 5000);
  if (!(probeTimeoutMs > 0)) throw new InvalidArgumentError('probeTimeoutMs', `must be a positive number, got ${probeTimeoutMs}`);
  if (probe$ !== undefined && typeof (probe$ as { subscribe?: unknown }).subscribe !== 'function') {
    throw new InvalidArgumentError('probe$', 'expected an Observable');
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<never>((subscriber) => {
    // A send only records the time (no timer is re-armed per packet: sends are the hot path).
    let lastSent = scheduler.now();
    let awaitingResponse = false;
    let deadline = 0; // when the wait for a response ends (while awaitingResponse)
    let timer: Subscription | undefined;
    /** Runs `action(late)` after `delay`; `late` says the timer ran well after it was due. */
    const arm = (delay: number, action: (late: boolean) => void): void => {
      timer?.unsubscribe();
      const due = scheduler.now() + delay;
      timer = scheduler.schedule(() => action(scheduler.now() - due > Math.max(delay / 2, LATE_SLACK_MS)), delay);
    };
    /** Sends PINGREQ now and waits `timeoutMs` for any packet. */
    const sendPing = (timeoutMs: number): void => {
      awaitingResponse = true;
      lastSent = scheduler.now(); // the PINGREQ is a send
      try {
        ping();
      } catch (error) {
        subscriber.error(error); // from a timer or a probe: nobody else could catch it
        return;
      }
      wait(timeoutMs);
    };
    const wait = (timeoutMs: number): void => {
      deadline = scheduler.now() + timeoutMs;
      arm(timeoutMs, (late) => expire(timeoutMs, late));
    };
    const check = (late: boolean): void => {
      const idle = scheduler.now() - lastSent;
      if (!late && idle < intervalMs) {
        arm(intervalMs - idle, check);
        return;
      }
      // Idle for an interval, or woken late (the page may have been frozen): ask the server now.
      sendPing(responseTimeoutMs);
    };
    const expire = (timeoutMs: number, late: boolean): void => {
      // A paused reader cannot see the answer: wait a full timeout again (after resuming too).
      if (isPaused?.() === true) {
        wait(timeoutMs);
        return;
      }
      // A late timer says nothing about the server (its answer may be queued behind this very
      // timer in a page that was frozen): ask again, from now.
      if (late) {
        sendPing(timeoutMs);
        return;
      }
      subscriber.error(new TimeoutError('KEEPALIVE_TIMEOUT', `no packet from the server within ${timeoutMs} ms after PINGREQ`));
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
    if (subscriber.closed) return undefined;
    arm(intervalMs, check);
    probe$?.subscribe(
      createOperatorSubscriber<unknown>(subscriber, {
        next: () => {
          // An answer to an earlier PINGREQ already due sooner decides first: no second PINGREQ.
          if (awaitingResponse && deadline <= scheduler.now() + probeTimeoutMs) return;
          sendPing(probeTimeoutMs);
        },
        complete: ignore,
        error: ignore,
      }),
    );
    return () => timer?.unsubscribe();
  });
}
