import type { Session } from '../../lib/broker/session';
import { SessionStore } from '../../lib/broker/session-store';
import { SubscriptionIndex } from '../../lib/broker/subscription-index';

function setup(maxSessions = 10) {
  const index = new SubscriptionIndex<Session>(() => true);
  const expired: string[] = [];
  const store = new SessionStore(index, 100, maxSessions, (s) => expired.push(s.clientId));
  return { index, store, expired };
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
});
