import { of, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { InvalidArgumentError } from '../../lib/errors.js';
import { ackAfter } from '../../lib/operators/ack-after.js';

/** A message that records when it was acked (in virtual time). */
class Msg {
  ackedAt: number[] = [];
  constructor(
    readonly id: string,
    private readonly now: () => number,
  ) {}
  ack(): void {
    this.ackedAt.push(this.now());
  }
}

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('ackAfter (marbles)', () => {
  it("acks each message when its handler completed and emits the handler's values", () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const a = new Msg('a', () => ts.now());
      const b = new Msg('b', () => ts.now());
      const source = hot<Msg>('-a---b---|', { a, b });
      const result = source.pipe(ackAfter((m) => cold('--x|', { x: m.id.toUpperCase() })));
      expectObservable(result).toBe('---A---B-|', { A: 'A', B: 'B' });
      ts.flush();
      expect(a.ackedAt).toEqual([4]);
      expect(b.ackedAt).toEqual([8]);
    });
  });

  it('runs at most `concurrency` handlers at once; later messages wait unacked', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const now = (): number => ts.now();
      const [a, b, c] = ['a', 'b', 'c'].map((id) => new Msg(id, now));
      const handlers: Record<string, ReturnType<typeof cold>> = {
        a: cold('----x|', { x: 'a' }),
        b: cold('-x|', { x: 'b' }),
        c: cold('-x|', { x: 'c' }),
      };
      const source = hot<Msg>('abc', { a, b, c });
      expectObservable(source.pipe(ackAfter((m) => handlers[m.id] as Observable<string>, { concurrency: 2 }))).toBe('--b-(ac)', { a: 'a', b: 'b', c: 'c' });
      expectSubscriptions(handlers.c.subscriptions).toBe('---^-!'); // starts when b finished
      ts.flush();
      expect([a.ackedAt, b.ackedAt, c.ackedAt]).toEqual([[5], [3], [5]]);
    });
  });

  it('a failing handler leaves its message unacked and errors the stream with its error (default)', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const a = new Msg('a', () => ts.now());
      const b = new Msg('b', () => ts.now());
      const source = hot<Msg>('-a-b', { a, b });
      const result = source.pipe(ackAfter((m) => (m.id === 'a' ? cold<string>('--#', undefined, new Error('db down')) : of('ok'))));
      expectObservable(result).toBe('---#', undefined, new Error('db down'));
      ts.flush();
      expect(a.ackedAt).toEqual([]);
      expect(b.ackedAt).toEqual([]); // it arrived while the failing one ran: waiting, never acked
    });
  });

  it("a handler that throws synchronously counts as a failure", () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable }) => {
      const a = new Msg('a', () => ts.now());
      const result = hot<Msg>('-a', { a }).pipe(
        ackAfter((): Observable<string> => {
          throw new Error('bad input');
        }),
      );
      expectObservable(result).toBe('-#', undefined, new Error('bad input'));
    });
  });

  it("onError: 'ack' acks and drops the failed message, and goes on", () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable }) => {
      const a = new Msg('a', () => ts.now());
      const b = new Msg('b', () => ts.now());
      const result = hot<Msg>('-a-b-|', { a, b }).pipe(
        ackAfter((m) => (m.id === 'a' ? throwError(() => new Error('poison')) : of(m.id)), { onError: 'ack' }),
      );
      expectObservable(result).toBe('---b-|', { b: 'b' });
      ts.flush();
      expect([a.ackedAt, b.ackedAt]).toEqual([[1], [3]]);
    });
  });

  it('onError as a function runs the fallback (a dead-letter publish) and acks once it completed', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const a = new Msg('a', () => ts.now());
      const deadLetters: string[] = [];
      const result = hot<Msg>('-a-|', { a }).pipe(
        ackAfter(() => throwError(() => new Error('poison')), {
          onError: (error, m) => {
            deadLetters.push(`${m.id}: ${(error as Error).message}`);
            return cold('---|');
          },
        }),
      );
      expectObservable(result).toBe('----|');
      ts.flush();
      expect(deadLetters).toEqual(['a: poison']);
      expect(a.ackedAt).toEqual([4]);
    });
  });

  it('a fallback that fails errors the stream and leaves the message unacked', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const a = new Msg('a', () => ts.now());
      const result = hot<Msg>('-a', { a }).pipe(
        ackAfter(() => throwError(() => new Error('poison')), { onError: () => cold('-#', undefined, new Error('dead-letter refused')) }),
      );
      expectObservable(result).toBe('--#', undefined, new Error('dead-letter refused'));
      ts.flush();
      expect(a.ackedAt).toEqual([]);
    });
  });

  it('unsubscribing stops the running handlers and acks nothing more', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const a = new Msg('a', () => ts.now());
      const handler = cold('-----x|', { x: 'a' });
      expectObservable(hot<Msg>('-a', { a }).pipe(ackAfter(() => handler)), '---!').toBe('');
      expectSubscriptions(handler.subscriptions).toBe('-^-!');
      ts.flush();
      expect(a.ackedAt).toEqual([]);
    });
  });

  it('takes Promises: acks once resolved and emits the value', async () => {
    const acked: string[] = [];
    const messages = ['a', 'b'].map((id) => ({ id, ack: () => acked.push(id) }));
    const values: string[] = [];
    await new Promise<void>((resolve, reject) =>
      of(...messages)
        .pipe(ackAfter(async (m) => `${m.id}!`, { concurrency: Infinity }))
        .subscribe({ next: (v) => values.push(v), complete: resolve, error: reject }),
    );
    expect(values).toEqual(['a!', 'b!']);
    expect(acked).toEqual(['a', 'b']);
  });

  it('refuses an invalid concurrency, onError or handler with InvalidArgumentError', () => {
    expect(() => ackAfter(() => of(1), { concurrency: 0 })).toThrow(InvalidArgumentError);
    expect(() => ackAfter(() => of(1), { concurrency: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => ackAfter(() => of(1), { onError: 'retry' as 'ack' })).toThrow(InvalidArgumentError);
    expect(() => ackAfter(undefined as unknown as () => Observable<number>)).toThrow(InvalidArgumentError);
  });
});
