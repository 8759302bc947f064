import { Subscriber, type Observable, type OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { createOperatorSubscriber, operate } from './operate.js';

/**
 * Maps each value to an inner Observable and runs at most `limit` of them at once, starting the
 * others in arrival order as running ones finish: `mergeMap(project, limit)` for work that often
 * finishes synchronously. Where `mergeMap` starts the next buffered value from inside the
 * completion of the previous one (a stack frame per value: a few thousand queued values that each
 * complete at once overflow the stack), this one starts them from a loop, so the stack stays flat
 * whatever the queue holds.
 *
 * Values of the inner Observables are passed on. An error of the source, of an inner Observable or
 * thrown by `project` errors the result and unsubscribes everything; it completes once the source
 * completed and every inner Observable did. Unsubscribing unsubscribes the source and the running
 * inner Observables; buffered values are dropped. Throws InvalidArgumentError for a `limit` that is
 * not an integer >= 1.
 *
 * @example
 * ```ts
 * // At most 20 publishes in flight; the rest wait in order.
 * jobs$.pipe(mergeWithin(20, (job) => runFlow(job))).subscribe();
 * ```
 */
export function mergeWithin<T, R>(limit: number, project: (value: T) => Observable<R>): OperatorFunction<T, R> {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new InvalidArgumentError('limit', `must be an integer >= 1, got ${String(limit)}`);
  return operate<T, R>((source, destination) => {
    const state = new WindowState<T, R>(limit, project, destination);
    destination.add(() => state.stop());
    source.subscribe(
      createOperatorSubscriber<T>(destination, {
        next: (value) => state.push(value),
        complete: () => state.sourceCompleted(),
      }),
    );
  });
}

/** The bookkeeping of one subscription to {@link mergeWithin}: no closure or context per value. */
class WindowState<T, R> {
  private buffer: T[] = [];
  private head = 0;
  private active = 0;
  private draining = false;
  private sourceDone = false;
  /** The running inner subscriptions, kept here rather than as children of the destination (whose removal is a linear search). */
  private readonly running = new Set<InnerSubscriber<T, R>>();

  constructor(
    private readonly limit: number,
    private readonly project: (value: T) => Observable<R>,
    readonly destination: Subscriber<R>,
  ) {}

  push(value: T): void {
    this.buffer.push(value);
    this.drain();
  }

  sourceCompleted(): void {
    this.sourceDone = true;
    this.finishIfDone();
  }

  stop(): void {
    for (const inner of this.running) inner.unsubscribe();
    this.running.clear();
  }

  /** An inner Observable completed: frees its slot (the running loop starts the next one). */
  innerDone(inner: InnerSubscriber<T, R>): void {
    this.running.delete(inner);
    if (inner.starting) return; // completed while subscribing: the loop in drain() goes on
    this.active--;
    this.drain();
  }

  /** Starts buffered values while there is room; re-entrant calls leave the work to the running loop. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      const { buffer, destination } = this;
      while (this.active < this.limit && this.head < buffer.length && !destination.closed) {
        const value = buffer[this.head] as T;
        buffer[this.head++] = undefined as T; // let it be collected
        if (this.head > 1024 && this.head * 2 > buffer.length) {
          buffer.splice(0, this.head);
          this.head = 0;
        }
        this.start(value);
      }
    } finally {
      this.draining = false;
    }
    this.finishIfDone();
  }

  private start(value: T): void {
    this.active++;
    const inner = new InnerSubscriber<T, R>(this);
    this.running.add(inner);
    this.project(value).subscribe(inner);
    inner.starting = false;
    if (inner.closed && !this.running.has(inner)) this.active--; // it completed at once
  }

  private finishIfDone(): void {
    if (this.sourceDone && this.active === 0 && this.head === this.buffer.length) this.destination.complete();
  }
}

/**
 * Passes an inner Observable's values and error to the destination and reports its completion. Not
 * chained to the destination: {@link WindowState.stop} unsubscribes the running ones.
 */
class InnerSubscriber<T, R> extends Subscriber<R> {
  /** True while `subscribe` runs: a completion then is counted by the caller, not here. */
  starting = true;

  constructor(private readonly state: WindowState<T, R>) {
    super();
  }

  protected override _next(value: R): void {
    this.state.destination.next(value);
  }

  protected override _error(error: unknown): void {
    this.unsubscribe();
    this.state.destination.error(error);
  }

  protected override _complete(): void {
    this.unsubscribe();
    try {
      this.state.innerDone(this);
    } catch (error) {
      this.state.destination.error(error); // a throw while starting the next ones
    }
  }
}
