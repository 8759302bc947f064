import { TestScheduler } from 'rxjs/testing';
import { ConnectionClosedError, InvalidArgumentError } from '../../lib/errors.js';
import { reconnectWithBackoff, type ReconnectAttempt } from '../../lib/session/reconnect-with-backoff.js';

const lost = new ConnectionClosedError('lost');

function makeScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('reconnectWithBackoff (virtual time)', () => {
  it('waits the backoff delay before each attempt and gives up after maxAttempts with the last error', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempts: ReconnectAttempt[] = [];
      const source = cold('--#', undefined, lost);
      const result = source.pipe(
        reconnectWithBackoff({ minDelay: 10, maxDelay: 30, maxAttempts: 2, random: () => 1, scheduler, onRetry: (a) => attempts.push(a) }),
      );
      // Errors at 2; waits min(30, 10 * 2^1) = 20; errors at 24; waits min(30, 40) = 30; errors at 56: gives up.
      expectObservable(result).toBe('56ms #', undefined, lost);
      expectSubscriptions(source.subscriptions).toBe(['^-!', '22ms ^-!', '54ms ^-!']);
      scheduler.flush();
      expect(attempts).toEqual([
        { attempt: 1, delay: 20, cause: lost },
        { attempt: 2, delay: 30, cause: lost },
      ]);
    });
  });

  it('starts counting again after the source emitted (a connection was made)', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const attempts: number[] = [];
      const source = cold('-a-#', undefined, lost);
      const result = source.pipe(
        reconnectWithBackoff({ minDelay: 10, maxDelay: 100, maxAttempts: 1, random: () => 0, scheduler, onRetry: (a) => attempts.push(a.attempt) }),
      );
      // Each round: subscribe, 'a' after 1, error after 3, wait 10: rounds start at 0, 13, 26.
      expectObservable(result, '^ 30ms !').toBe('-a 12ms a 12ms a');
      scheduler.flush();
      expect(attempts).toEqual([1, 1, 1]); // errors at 3, 16 and 29
    });
  });

  it('cuts the wait short when trigger$ emits', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, lost);
      const trigger$ = hot('----------t');
      const result = source.pipe(reconnectWithBackoff({ minDelay: 100, maxDelay: 100, maxAttempts: 2, random: () => 0, scheduler, trigger$ }));
      // The first wait (100) ends early at 10 with the trigger; the second runs its full 100 ms.
      expectSubscriptions(source.subscriptions).toBe(['^-!', '10ms ^-!', '112ms ^-!']);
      expectObservable(result).toBe('114ms #', undefined, lost);
    });
  });

  it('a trigger$ that completes or fails without emitting leaves the wait to run its course (retries go on)', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      // E.g. a wake-up source where the page has no such events: it must not end the reconnecting.
      const options = { minDelay: 100, maxDelay: 100, maxAttempts: 1, random: () => 0, scheduler };
      const a = cold('--#', undefined, lost);
      expectObservable(a.pipe(reconnectWithBackoff({ ...options, trigger$: hot('-----|') }))).toBe('104ms #', undefined, lost);
      expectSubscriptions(a.subscriptions).toBe(['^-!', '102ms ^-!']);
      const b = cold('--#', undefined, lost);
      expectObservable(b.pipe(reconnectWithBackoff({ ...options, trigger$: hot('-----#', undefined, new Error('no window')) }))).toBe('104ms #', undefined, lost);
      expectSubscriptions(b.subscriptions).toBe(['^-!', '102ms ^-!']);
    });
  });

  it('a trigger$ value heard while connected ends the next wait at once if it starts within 10 s, once', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      // E.g. the page resumed, and the browser closed the socket just after: reconnect now.
      const attempts: ReconnectAttempt[] = [];
      const source = cold('-c 9998ms #', undefined, lost); // connected at 1, lost at 10 000
      const trigger$ = hot('t');
      const result = source.pipe(reconnectWithBackoff({ minDelay: 100, maxDelay: 100, random: () => 0, scheduler, trigger$, onRetry: (a) => attempts.push(a) }));
      // Heard at 0, lost at 10 000 (10 s later): at once. Lost again at 20 000: that value is used up.
      expectSubscriptions(source.subscriptions).toBe(['^ 9999ms !', '10000ms ^ 9999ms !', '20100ms ^ 8900ms !']);
      expectObservable(result, '^ 29000ms !').toBe('-c 9999ms c 10099ms c');
      scheduler.flush();
      expect(attempts.map((a) => a.delay)).toEqual([0, 100]);
      expectSubscriptions(trigger$.subscriptions).toBe('^ 29000ms !');
    });
  });

  it('a trigger$ value heard more than 10 s before the wait does not count; one during each wait cuts that wait', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('10002ms #', undefined, lost);
      // t at 1: 10 001 ms before the first wait. Waits from 10 002 and 20 016 are cut at 10 012 and 20 019.
      const trigger$ = hot('-t 10010ms t 10006ms t');
      const result = source.pipe(reconnectWithBackoff({ minDelay: 100, maxDelay: 100, maxAttempts: 3, random: () => 0, scheduler, trigger$ }));
      expectSubscriptions(source.subscriptions).toBe(['^ 10001ms !', '10012ms ^ 10001ms !', '20019ms ^ 10001ms !', '30121ms ^ 10001ms !']);
      expectObservable(result).toBe('40123ms #', undefined, lost);
    });
  });

  it('passes the error on at once when shouldRetry rejects it, and completion through', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const refused = new Error('refused');
      expectObservable(cold('--#', undefined, refused).pipe(reconnectWithBackoff({ scheduler, shouldRetry: () => false }))).toBe(
        '--#',
        undefined,
        refused,
      );
      expectObservable(cold('-a|').pipe(reconnectWithBackoff({ scheduler }))).toBe('-a|');
    });
  });

  it('cancels the wait when unsubscribed', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, lost);
      expectObservable(source.pipe(reconnectWithBackoff({ minDelay: 10, random: () => 0, scheduler })), '^ 8ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^-!']);
    });
  });

  it('throws InvalidArgumentError for invalid options', () => {
    expect(() => reconnectWithBackoff({ maxAttempts: -1 })).toThrow(/reconnect.maxAttempts/);
    expect(() => reconnectWithBackoff({ maxAttempts: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => reconnectWithBackoff({ minDelay: 5, maxDelay: 1 })).toThrow(/reconnect.maxDelay/);
    expect(() => reconnectWithBackoff({ trigger$: {} as never })).toThrow(/reconnect.trigger\$/);
    expect(() => reconnectWithBackoff({ random: 1 as never })).toThrow(/reconnect.random/);
  });
});
