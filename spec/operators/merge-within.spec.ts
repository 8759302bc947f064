import { EMPTY, mergeMap, Observable, of, range, Subject, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { InvalidArgumentError } from '../../lib/errors.js';
import { mergeWithin } from '../../lib/operators/merge-within.js';

describe('mergeWithin', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('runs at most `limit` inner Observables at once and starts the rest in arrival order', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const source = hot('-abcd|');
      const inner: Record<string, string> = { a: '---A|', b: '-B|', c: 'C|', d: '---D|' };
      // a and b run; c starts when b completes (frame 4), d when c completes (frame 5).
      expectObservable(source.pipe(mergeWithin(2, (v) => cold(inner[v] as string)))).toBe('---B(AC)D|');
    });
  });

  it('gives the same values as mergeMap with the same concurrency', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const source = hot('-a-b-c-d-e|');
      const project = (v: string): Observable<string> => cold(`--${v.toUpperCase()}-|`);
      expectObservable(source.pipe(mergeWithin(2, project))).toBe('---A-B-C-D-E-|');
      expectObservable(source.pipe(mergeMap(project, 2))).toBe('---A-B-C-D-E-|');
    });
  });

  it('errors with an inner error and unsubscribes the source and the other inner Observables', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-ab---c|');
      const a = cold('-----A|');
      const b = cold('--#');
      expectObservable(source.pipe(mergeWithin(2, (v) => (v === 'a' ? a : b)))).toBe('----#');
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectSubscriptions(a.subscriptions).toBe('-^--!');
    });
  });

  it('errors with what project throws', () => {
    const errors: unknown[] = [];
    of(1, 2)
      .pipe(
        mergeWithin(1, (n) => {
          if (n === 2) throw new Error('no 2');
          return of(n);
        }),
      )
      .subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([new Error('no 2')]);
  });

  it('keeps the stack flat for 100 000 buffered values that each complete at once', () => {
    const gate = new Subject<void>();
    let started = 0;
    let completed = false;
    // The first inner holds the only slot while the 100 000 others wait in the buffer.
    range(0, 100_001)
      .pipe(mergeWithin(1, (n) => (n === 0 ? new Observable<never>((s) => gate.subscribe(() => s.complete())) : (started++, EMPTY))))
      .subscribe({ complete: () => (completed = true) });
    expect(started).toBe(0);
    gate.next(); // mergeMap would start the next from inside this completion, 100 000 frames deep
    expect([started, completed]).toEqual([100_000, true]);
  });

  it('completes only after the source and every inner Observable did; unsubscribing drops the buffer', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-ab|');
      const a = cold('----|');
      const b = cold('-|');
      expectObservable(source.pipe(mergeWithin(1, (v) => (v === 'a' ? a : b)))).toBe('------|');
      expectSubscriptions(b.subscriptions).toBe('-----^!');
    });
    const seen: number[] = [];
    const subscription = range(0, 5)
      .pipe(mergeWithin(1, (n) => new Observable<number>((s) => s.next(n))))
      .subscribe((n) => seen.push(n));
    subscription.unsubscribe();
    expect(seen).toEqual([0]);
  });

  it('refuses a limit that is not an integer >= 1', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => mergeWithin(limit, () => throwError(() => 'x'))).toThrow(InvalidArgumentError);
  });
});
