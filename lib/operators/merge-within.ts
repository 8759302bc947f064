import type { Observable, OperatorFunction } from 'rxjs';
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
    const buffer: T[] = [];
    let head = 0;
    let active = 0;
    let draining = false;
    let sourceDone = false;

    const finishIfDone = (): void => {
      if (sourceDone && active === 0 && head === buffer.length) destination.complete();
    };

    const start = (value: T): void => {
      active++;
      let finishedInside = true;
      let ended = false;
      // A child of the destination (see createOperatorSubscriber): unsubscribed with it.
      project(value).subscribe(
        createOperatorSubscriber<R>(destination, {
          complete: () => {
            ended = true;
            if (finishedInside) return; // completed while subscribing: the loop below goes on
            active--;
            drain();
          },
        }),
      );
      finishedInside = false;
      if (ended) active--;
    };

    /** Starts buffered values while there is room; re-entrant calls leave the work to the running loop. */
    const drain = (): void => {
      if (draining) return;
      draining = true;
      try {
        while (active < limit && head < buffer.length && !destination.closed) {
          const value = buffer[head] as T;
          buffer[head++] = undefined as T; // let it be collected
          if (head > 1024 && head * 2 > buffer.length) {
            buffer.splice(0, head);
            head = 0;
          }
          start(value);
        }
      } finally {
        draining = false;
      }
      finishIfDone();
    };

    source.subscribe(
      createOperatorSubscriber<T>(destination, {
        next: (value) => {
          buffer.push(value);
          drain();
        },
        complete: () => {
          sourceDone = true;
          finishIfDone();
        },
      }),
    );
  });
}
