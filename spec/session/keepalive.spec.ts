import { TestScheduler } from 'rxjs/testing';
import { keepalive } from '../../lib/session/keepalive.js';
import { InvalidArgumentError, TimeoutError } from '../../lib/errors.js';

function makeScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('keepalive (virtual time)', () => {
  it('sends PINGREQ after an interval without sends, and again an interval after the response', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const sent = hot<unknown>('');
      // Responses arrive at t=12 and t=25; each PINGREQ counts as a send, so pings are 10 ms apart.
      const received = hot<unknown>('12ms a 12ms b');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent, received, ping: () => pings.push(scheduler.now()), scheduler });
      expectObservable(ka, '^ 33ms !').toBe('');
      scheduler.flush();
      expect(pings).toEqual([10, 20, 30]);
    });
  });

  it('postpones the PINGREQ while packets are being sent', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const sent = hot<unknown>('5ms a 6ms b');
      const received = hot<unknown>('25ms r');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent, received, ping: () => pings.push(scheduler.now()), scheduler });
      expectObservable(ka, '^ 30ms !').toBe('');
      scheduler.flush();
      // Last send at t=12, so the first ping is due at t=22.
      expect(pings).toEqual([22]);
    });
  });

  it('does not time out while the reader is paused, and times out at its next check once reading resumed', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      let paused = false;
      // Reading pauses at t=8 (window full) and resumes at t=38; nothing from the server is read.
      cold('8ms a 29ms b').subscribe((x) => (paused = x === 'a'));
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received: hot(''), ping: () => undefined, scheduler, isPaused: () => paused });
      // PINGREQ at 10; the checks at 15, 20, ... 35 find the reader paused; the one at 40 fires.
      expectObservable(ka).toBe('40ms #', undefined, new TimeoutError('KEEPALIVE_TIMEOUT', 'no packet from the server within 5 ms after PINGREQ'));
    });
  });

  it('while paused, a packet read after resuming answers the PINGREQ', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      let paused = true;
      cold('28ms a').subscribe(() => (paused = false));
      const received = hot<unknown>('29ms r'); // the PINGRESP that waited in the socket
      const pings: number[] = [];
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received, ping: () => pings.push(scheduler.now()), scheduler, isPaused: () => paused });
      expectObservable(ka, '^ 32ms !').toBe('');
      scheduler.flush();
      expect(pings).toEqual([10, 29]); // answered: the next PINGREQ is due (nothing sent since 10)
    });
  });

  it('errors with TimeoutError KEEPALIVE_TIMEOUT when nothing arrives after PINGREQ', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const sent = hot<unknown>('');
      const received = hot<unknown>('');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent, received, ping: () => pings.push(scheduler.now()), scheduler });
      const error = new TimeoutError('KEEPALIVE_TIMEOUT', 'no packet from the server within 5 ms after PINGREQ');
      expectObservable(ka).toBe('15ms #', undefined, error);
      scheduler.flush();
      expect(pings).toEqual([10]);
    });
  });

  it('a send after PINGREQ does not cancel the wait for the response', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const sent = hot<unknown>('12ms a');
      const received = hot<unknown>('');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent, received, ping: () => undefined, scheduler });
      expectObservable(ka).toBe('15ms #', undefined, expect.any(TimeoutError));
    });
  });

  it('completes when the received stream completes (the connection ended), and stops the timers on unsubscribe', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const ka = keepalive({
        intervalMs: 10,
        responseTimeoutMs: 5,
        sent: hot<unknown>(''),
        received: hot<unknown>('12ms |'),
        ping: () => pings.push(scheduler.now()),
        scheduler,
      });
      expectObservable(ka).toBe('12ms |');
      const early = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received: hot(''), ping: () => pings.push(-1), scheduler });
      expectObservable(early, '^ 8ms !').toBe('');
      scheduler.flush();
      expect(pings).toEqual([10]);
    });
  });

  it('throws InvalidArgumentError for a non-positive interval or timeout', () => {
    const base = { sent: { pipe: () => undefined } as never, received: {} as never, ping: () => undefined };
    expect(() => keepalive({ ...base, intervalMs: 0, responseTimeoutMs: 1 })).toThrow(InvalidArgumentError);
    expect(() => keepalive({ ...base, intervalMs: 1, responseTimeoutMs: -1 })).toThrow(/responseTimeoutMs/);
  });

  it('errors with what ping throws (from its timer), and stops listening', () => {
    const scheduler = makeScheduler();
    const failure = new Error('cannot encode PINGREQ');
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const sent = hot<unknown>('');
      const received = hot<unknown>('');
      const ka = keepalive({
        intervalMs: 10,
        responseTimeoutMs: 5,
        sent,
        received,
        ping: () => {
          throw failure;
        },
        scheduler,
      });
      expectObservable(ka).toBe('10ms #', undefined, failure);
      expectSubscriptions(received.subscriptions).toBe('^ 9ms !');
      expectSubscriptions(sent.subscriptions).toBe('^ 9ms !');
    });
  });

  it('completes when received ends, but not when sent ends', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const sent = hot<unknown>('2ms |');
      const received = hot<unknown>('6ms |');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent, received, ping: () => undefined, scheduler });
      expectObservable(ka).toBe('6ms |');
    });
  });
});
