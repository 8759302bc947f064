import { TestScheduler } from 'rxjs/testing';
import { keepalive } from '../../lib/session/keepalive.js';
import { InvalidArgumentError, TimeoutError } from '../../lib/errors.js';
import { lateCalls, lateScheduler } from '../helpers/late-scheduler.js';

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

  it('throws InvalidArgumentError for a non-positive probeTimeoutMs or a probe$ that is not an Observable', () => {
    const base = { intervalMs: 10, responseTimeoutMs: 5, sent: {} as never, received: {} as never, ping: () => undefined };
    expect(() => keepalive({ ...base, probeTimeoutMs: 0 })).toThrow(/probeTimeoutMs/);
    expect(() => keepalive({ ...base, probe$: 'visible' as never })).toThrow(InvalidArgumentError);
  });
});

// Background tabs run timers about once a minute, and frozen pages not at all: the timers below run
// 60 s late (virtual time) and must never, on their own, declare the connection dead.
describe('keepalive with late timers (virtual time, timers delayed by 60 s)', () => {
  const timeout5 = new TimeoutError('KEEPALIVE_TIMEOUT', 'no packet from the server within 5 ms after PINGREQ');

  it('a late ping timer sends PINGREQ at once, even right after a send, and starts a fresh deadline from then', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const late = lateScheduler(scheduler, lateCalls(60_000, 0)); // timer 0: the first ping timer, due at 10
      // A send at 60 009 would postpone an on-time check; a late one asks the server anyway.
      const sent = hot<unknown>('60009ms a');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent, received: hot(''), ping: () => pings.push(scheduler.now()), scheduler: late });
      // The fresh deadline (60 010 + 5) runs on time: with no answer, that one counts.
      expectObservable(ka).toBe('60015ms #', undefined, timeout5);
      scheduler.flush();
      expect(pings).toEqual([60_010]);
      expect(late.requested).toEqual([10, 5]);
    });
  });

  it('after a late ping timer, an answer within the fresh deadline keeps the connection', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const late = lateScheduler(scheduler, lateCalls(60_000, 0));
      const received = hot<unknown>('60012ms r 9ms s');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received, ping: () => pings.push(scheduler.now()), scheduler: late });
      expectObservable(ka, '^ 60031ms !').toBe('');
      scheduler.flush();
      expect(pings).toEqual([60_010, 60_020, 60_030]);
    });
  });

  it('a late response timer does not declare the link dead: it pings again and waits a fresh deadline', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const late = lateScheduler(scheduler, lateCalls(60_000, 1)); // timer 1: the response deadline, due at 15
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received: hot(''), ping: () => pings.push(scheduler.now()), scheduler: late });
      // Ran at 60 015 instead of 15: ping again; the deadline 60 020 runs on time and counts.
      expectObservable(ka).toBe('60020ms #', undefined, timeout5);
      scheduler.flush();
      expect(pings).toEqual([10, 60_015]);
    });
  });

  it('after a late response timer, the answer to the new PINGREQ keeps the connection', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const late = lateScheduler(scheduler, lateCalls(60_000, 1));
      const received = hot<unknown>('60017ms r');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received, ping: () => pings.push(scheduler.now()), scheduler: late });
      expectObservable(ka, '^ 60028ms !').toBe('');
      scheduler.flush();
      expect(pings).toEqual([10, 60_015, 60_025]);
    });
  });

  it('with every timer 60 s late (a throttled tab), never times out on its own and keeps asking', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const late = lateScheduler(scheduler, () => 60_000);
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received: hot(''), ping: () => pings.push(scheduler.now()), scheduler: late });
      expectObservable(ka, '^ 600000ms !').toBe('');
      scheduler.flush();
      // 60 010, then each deadline runs 60 005 ms after the PINGREQ before it: a new PINGREQ each time.
      expect(pings).toEqual(Array.from({ length: 9 }, (_, i) => 60_010 + i * 60_005));
    });
  });

  it('a response timeout that runs on time, or a little late, still closes the connection', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const onTime = keepalive({ intervalMs: 10, responseTimeoutMs: 5, sent: hot(''), received: hot(''), ping: () => undefined, scheduler: lateScheduler(scheduler, () => 0) });
      expectObservable(onTime).toBe('15ms #', undefined, timeout5);
      // 900 ms late is under both thresholds (half the delay, and one second): it counts.
      const slightly = keepalive({ intervalMs: 10_000, responseTimeoutMs: 4_000, sent: hot(''), received: hot(''), ping: () => undefined, scheduler: lateScheduler(scheduler, () => 900) });
      expectObservable(slightly).toBe('15800ms #', undefined, new TimeoutError('KEEPALIVE_TIMEOUT', 'no packet from the server within 4000 ms after PINGREQ'));
    });
  });

  it('while the reader is paused, late timers never time out and send no extra PINGREQ', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const late = lateScheduler(scheduler, () => 60_000);
      const ka = keepalive({
        intervalMs: 10,
        responseTimeoutMs: 5,
        sent: hot(''),
        received: hot(''),
        ping: () => pings.push(scheduler.now()),
        scheduler: late,
        isPaused: () => true,
      });
      expectObservable(ka, '^ 600000ms !').toBe('');
      scheduler.flush();
      expect(pings).toEqual([60_010]);
    });
  });
});

describe('keepalive probes (probe$: the page is visible again, the network is back)', () => {
  it('each probe sends PINGREQ at once and waits probeTimeoutMs for any packet', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const probe$ = hot<unknown>('3ms w');
      const ka = keepalive({ intervalMs: 100, responseTimeoutMs: 50, probeTimeoutMs: 2, probe$, sent: hot(''), received: hot(''), ping: () => pings.push(scheduler.now()), scheduler });
      expectObservable(ka).toBe('5ms #', undefined, new TimeoutError('KEEPALIVE_TIMEOUT', 'no packet from the server within 2 ms after PINGREQ'));
      scheduler.flush();
      expect(pings).toEqual([3]);
    });
  });

  it('an answer to the probe keeps the connection, and the next PINGREQ is an interval after the probe', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      const probe$ = hot<unknown>('3ms w');
      const received = hot<unknown>('4ms r');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 5, probeTimeoutMs: 2, probe$, sent: hot(''), received, ping: () => pings.push(scheduler.now()), scheduler });
      expectObservable(ka, '^ 14ms !').toBe('');
      scheduler.flush();
      expect(pings).toEqual([3, 13]);
    });
  });

  it('a probe while an answer is already due sooner sends no second PINGREQ; one due later is overtaken', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const pings: number[] = [];
      // PINGREQ at 10 waits until 40. Probe at 12 (deadline would be 32): ping again, dead at 32.
      const probe$ = hot<unknown>('12ms a 5ms b');
      const ka = keepalive({ intervalMs: 10, responseTimeoutMs: 30, probeTimeoutMs: 20, probe$, sent: hot(''), received: hot(''), ping: () => pings.push(scheduler.now()), scheduler });
      // The probe at 18 would wait until 38, later than 32: nothing sent.
      expectObservable(ka).toBe('32ms #', undefined, new TimeoutError('KEEPALIVE_TIMEOUT', 'no packet from the server within 20 ms after PINGREQ'));
      scheduler.flush();
      expect(pings).toEqual([10, 12]);
    });
  });

  it('waits min(responseTimeoutMs, 5000) by default', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const probe$ = hot<unknown>('1ms w');
      const ka = keepalive({ intervalMs: 60_000, responseTimeoutMs: 30_000, probe$, sent: hot(''), received: hot(''), ping: () => undefined, scheduler });
      expectObservable(ka).toBe('5001ms #', undefined, new TimeoutError('KEEPALIVE_TIMEOUT', 'no packet from the server within 5000 ms after PINGREQ'));
      const short = keepalive({ intervalMs: 60_000, responseTimeoutMs: 300, probe$, sent: hot(''), received: hot(''), ping: () => undefined, scheduler });
      expectObservable(short).toBe('301ms #', undefined, expect.any(TimeoutError));
    });
  });

  it('the end or failure of probe$ ends only the probing; unsubscribing unsubscribes from probe$', () => {
    const scheduler = makeScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const pings: number[] = [];
      const ping = (): number => pings.push(scheduler.now());
      const ended = hot<unknown>('2ms |');
      const failed = hot<unknown>('2ms #', undefined, new Error('no document'));
      const received = hot<unknown>('11ms r 9ms r');
      const a = keepalive({ intervalMs: 10, responseTimeoutMs: 5, probe$: ended, sent: hot(''), received, ping, scheduler });
      const b = keepalive({ intervalMs: 10, responseTimeoutMs: 5, probe$: failed, sent: hot(''), received, ping, scheduler });
      expectObservable(a, '^ 21ms !').toBe('');
      expectObservable(b, '^ 21ms !').toBe('');
      const live = hot<unknown>('');
      expectObservable(keepalive({ intervalMs: 10, responseTimeoutMs: 5, probe$: live, sent: hot(''), received, ping, scheduler }), '^ 7ms !').toBe('');
      expectSubscriptions(live.subscriptions).toBe('^ 7ms !');
      scheduler.flush();
      expect(pings).toEqual([10, 10, 20, 20]);
    });
  });

  it('errors with what ping throws during a probe', () => {
    const scheduler = makeScheduler();
    const failure = new Error('cannot encode PINGREQ');
    scheduler.run(({ hot, expectObservable }) => {
      const ka = keepalive({
        intervalMs: 10,
        responseTimeoutMs: 5,
        probe$: hot('4ms w'),
        sent: hot(''),
        received: hot(''),
        ping: () => {
          throw failure;
        },
        scheduler,
      });
      expectObservable(ka).toBe('4ms #', undefined, failure);
    });
  });
});
