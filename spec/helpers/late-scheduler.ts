/**
 * Test helper: a scheduler whose timers run late, as in a background tab (Chrome runs timers of a
 * long-hidden page about once a minute) or a frozen page. It wraps another scheduler (a
 * TestScheduler, for virtual time): `now()` is the inner clock, and each timer scheduled through it
 * runs `lateness(delay, call)` milliseconds after its due time (`call` counts timers from 0).
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

export interface LateScheduler extends SchedulerLike {
  /** The delays asked for, in order (the lateness is added on top of each). */
  readonly requested: readonly number[];
}

/**
 * @example
 * ```ts
 * const late = lateScheduler(testScheduler, (delay, call) => (call === 0 ? 60_000 : 0)); // only the first timer is late
 * ```
 */
export function lateScheduler(inner: SchedulerLike, lateness: (delay: number, call: number) => number): LateScheduler {
  const requested: number[] = [];
  return {
    requested,
    now: () => inner.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
      const extra = lateness(delay, requested.length);
      requested.push(delay);
      return inner.schedule(work, delay + extra, state);
    },
  };
}

/** A lateness for {@link lateScheduler}: the timers numbered in `calls` run `ms` late, the others on time. */
export function lateCalls(ms: number, ...calls: number[]): (delay: number, call: number) => number {
  return (_delay, call) => (calls.includes(call) ? ms : 0);
}
