import { config, Observable, of, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createOperatorSubscriber, operate } from '../../lib/operators/operate.js';

/** An operator that passes values on and throws for the value 'bad' (a store failing mid-flow). */
const throwOnBad = operate<string, string>((source, subscriber) => {
  source.subscribe(
    createOperatorSubscriber(subscriber, {
      next(value) {
        if (value === 'bad') throw new Error(`refused ${value}`);
        subscriber.next(value);
      },
    }),
  );
});

describe('operate + createOperatorSubscriber', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('errors the stream with what next throws, and unsubscribes the source at that moment', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: 'ok', b: 'bad', c: 'late' });
      expectObservable(source.pipe(throwOnBad)).toBe('-a-#', { a: 'ok' }, new Error('refused bad'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('passes errors and completion through when no handler is given', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failure = new Error('transport lost');
      expectObservable(cold('-a-#', { a: 'x' }, failure).pipe(throwOnBad)).toBe('-a-#', { a: 'x' }, failure);
      expectObservable(cold('-a-|', { a: 'x' }).pipe(throwOnBad)).toBe('-a-|', { a: 'x' });
    });
  });

  it('errors the stream with what the complete or error handler throws', () => {
    const onEnd = operate<string, string>((source, subscriber) => {
      source.subscribe(
        createOperatorSubscriber(subscriber, {
          complete: () => {
            throw new Error('complete failed');
          },
          error: () => {
            throw new Error('error failed');
          },
        }),
      );
    });
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-|', { a: 'x' }).pipe(onEnd)).toBe('-a-#', { a: 'x' }, new Error('complete failed'));
      expectObservable(cold('-a-#', { a: 'x' }).pipe(onEnd)).toBe('-a-#', { a: 'x' }, new Error('error failed'));
    });
  });

  it('unsubscribes the source when the consumer unsubscribes early, and runs no handler after', () => {
    const seen: string[] = [];
    const spy = operate<string, string>((source, subscriber) => {
      source.subscribe(createOperatorSubscriber(subscriber, { next: (v) => (seen.push(v), subscriber.next(v)) }));
    });
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: 'a', b: 'b', c: 'c' });
      expectObservable(source.pipe(spy), '^--!').toBe('-a-', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(seen).toEqual(['a']);
  });

  it('stops calling next once the destination has errored, even when a synchronous source keeps emitting', () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    of('ok', 'bad', 'after')
      .pipe(
        operate<string, string>((source, subscriber) => {
          source.subscribe(
            createOperatorSubscriber(subscriber, {
              next(value) {
                seen.push(value);
                if (value === 'bad') throw new Error('boom');
                subscriber.next(value);
              },
            }),
          );
        }),
      )
      .subscribe({ error: (e: unknown) => errors.push(e) });
    expect(seen).toEqual(['ok', 'bad']);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('reports nothing as unhandled when next throws, where a hand-written observer does', async () => {
    const previous = config.onUnhandledError;
    const unhandled: unknown[] = [];
    let reported!: () => void;
    const handWrittenReported = new Promise<void>((resolve) => (reported = resolve));
    config.onUnhandledError = (e) => {
      unhandled.push(e);
      reported();
    };
    try {
      const source = new Subject<string>();
      const errors: unknown[] = [];
      source.pipe(throwOnBad).subscribe({ error: (e: unknown) => errors.push(e) });
      source.next('bad');
      expect(errors).toEqual([new Error('refused bad')]);
      expect(source.observed).toBe(false); // the helper's subscriber left the source

      // The shape the helper replaces: the throw goes to RxJS's unhandled-error path and the stream lives on.
      const handWritten = new Observable<string>((subscriber) =>
        source.subscribe({
          next(value) {
            if (value === 'bad') throw new Error('escaped');
            subscriber.next(value);
          },
        }),
      );
      const handErrors: unknown[] = [];
      handWritten.subscribe({ error: (e: unknown) => handErrors.push(e) });
      source.next('bad');
      await handWrittenReported; // RxJS reports it on a timeout
      expect(handErrors).toEqual([]);
      expect(source.observed).toBe(true);
      expect(unhandled).toEqual([new Error('escaped')]); // only the hand-written one, not 'refused bad'
    } finally {
      config.onUnhandledError = previous;
    }
  });

  it('errors the subscriber when init throws', () => {
    const broken = operate<string, string>(() => {
      throw new Error('init failed');
    });
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-|').pipe(broken)).toBe('#', undefined, new Error('init failed'));
    });
  });
});
