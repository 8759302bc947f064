import { KeepAliveTimer } from '../../lib/broker/keep-alive-timer';

describe('KeepAliveTimer (fake clock)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  function timer(): { readonly t: KeepAliveTimer; readonly expired: string[] } {
    const expired: string[] = [];
    return { t: new KeepAliveTimer((why) => expired.push(why)), expired };
  }

  it('reports the connect timeout once, and not after connected()', () => {
    const a = timer();
    a.t.awaitConnect(100);
    jest.advanceTimersByTime(99);
    expect(a.expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(a.expired).toEqual(['connect']);
    const b = timer();
    b.t.awaitConnect(100);
    b.t.connected(0);
    jest.advanceTimersByTime(1000);
    expect(b.expired).toEqual([]);
  });

  it('expires after 1.5 times the keep alive of silence, counted from the last byte [MQTT-3.1.2-24]', () => {
    const { t, expired } = timer();
    t.connected(2); // 3 s
    jest.advanceTimersByTime(2000);
    t.heard();
    jest.advanceTimersByTime(2999);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['keepAlive']);
  });

  it('does not run while paused, and counts a full period again from the resume', () => {
    const { t, expired } = timer();
    t.connected(1); // 1.5 s
    jest.advanceTimersByTime(1000);
    t.pause();
    expect(t.isPaused).toBe(true);
    jest.advanceTimersByTime(60_000); // silent, but not read: not the client's fault
    expect(expired).toEqual([]);
    t.resume();
    t.resume(); // idempotent
    jest.advanceTimersByTime(1499);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['keepAlive']);
  });

  it('stays silent after stop()', () => {
    const { t, expired } = timer();
    t.connected(1);
    t.stop();
    t.resume();
    jest.advanceTimersByTime(10_000);
    expect(expired).toEqual([]);
  });
});
