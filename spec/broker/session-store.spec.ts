import { brokerMessage } from '../../lib/broker/broker-message';
import type { Session } from '../../lib/broker/session';
import { SessionStore } from '../../lib/broker/session-store';
import { SubscriptionIndex } from '../../lib/broker/subscription-index';

function setup(maxSessions = 10) {
  const index = new SubscriptionIndex<Session>(() => true);
  const expired: string[] = [];
  const ended: string[] = [];
  const store = new SessionStore(index, 100, maxSessions, {
    onExpire: (s) => expired.push(s.clientId),
    onEnded: (s, reason, dropped) => ended.push(`${s.clientId}:${reason}:${dropped}`),
  });
  return { index, store, expired, ended };
}

describe('SessionStore', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('discards a session with expiry 0 when released, with its subscriptions', () => {
    const { index, store, expired } = setup();
    const s = store.create('a');
    const sub = { session: s, filter: 't', group: undefined, qos: 1 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 as const, subscriptionId: undefined };
    s.subscriptions.set('t', sub);
    index.add(sub);
    store.release(s);
    expect(store.has('a')).toBe(false);
    expect(index.size).toBe(0);
    expect(expired).toEqual(['a']);
  });

  it('keeps a session for its expiry interval unless resumed', () => {
    const { store, expired } = setup();
    const s = store.create('a');
    s.expiryInterval = 10;
    store.release(s);
    jest.advanceTimersByTime(9999);
    expect(store.get('a')).toBe(s);
    store.resume(s);
    jest.advanceTimersByTime(100000);
    expect(store.get('a')).toBe(s);
    store.release(s);
    jest.advanceTimersByTime(10000);
    expect(store.has('a')).toBe(false);
    expect(expired).toEqual(['a']);
  });

  it('never expires an infinite session and replaces a session on create', () => {
    const { store } = setup();
    const s = store.create('a');
    s.expiryInterval = Infinity;
    store.release(s);
    jest.advanceTimersByTime(2 ** 31);
    expect(store.get('a')).toBe(s);
    const fresh = store.create('a');
    expect(fresh).not.toBe(s);
    expect(store.size).toBe(1);
  });

  it('reports when it is full', () => {
    const { store } = setup(2);
    store.create('a');
    expect(store.full).toBe(false);
    store.create('b');
    expect(store.full).toBe(true);
  });

  it('evicts the offline session whose client left first, and none that is online', () => {
    const { store, expired, ended } = setup(3);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => store.create(id));
    for (const s of [a, b, c]) s.expiryInterval = Infinity;
    expect(store.evictOldestOffline()).toBe(false);
    store.release(b);
    store.release(a);
    expect(store.offlineCount).toBe(2);
    expect(store.evictOldestOffline()).toBe(true);
    expect(store.has('b')).toBe(false);
    expect(ended).toEqual(['b:evicted:0']);
    expect(expired).toEqual(['b']);
    store.resume(a);
    expect(store.evictOldestOffline()).toBe(false);
    expect(store.offlineCount).toBe(0);
  });

  it('reports expiry through onEnded with the messages still held', () => {
    const { store, ended } = setup();
    const s = store.create('a');
    s.expiryInterval = 5;
    s.deliver(brokerMessage('t', new Uint8Array(1), 1, false, undefined, 'p', 0), 1, false, undefined, 0);
    store.release(s);
    jest.advanceTimersByTime(5000);
    expect(ended).toEqual(['a:expired:1']);
  });
});
