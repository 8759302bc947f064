import fc from 'fast-check';
import { topicMatches } from '../../lib/session/topic-tree';
import { brokerMessage, type BrokerMessage } from '../../lib/broker/broker-message';
import { RetainedStore } from '../../lib/broker/retained-store';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const msg = (topic: string, payload: string, expirySeconds?: number): BrokerMessage =>
  brokerMessage(topic, bytes(payload), 1, true, expirySeconds === undefined ? undefined : { messageExpiryInterval: expirySeconds }, 'c', 1000);

function topics(store: RetainedStore, filter: string, now = 1000): string[] {
  const out: string[] = [];
  store.match(filter, (m) => out.push(m.topic), now);
  return out.sort();
}

describe('RetainedStore', () => {
  it('sets, replaces and clears with an empty payload', () => {
    const store = new RetainedStore();
    store.set(msg('a/b', 'one'));
    store.set(msg('a/b', 'two'));
    expect(store.size).toBe(1);
    expect(new TextDecoder().decode(store.get('a/b')?.payload)).toBe('two');
    store.set(msg('a/b', ''));
    expect(store.size).toBe(0);
    expect(store.get('a/b')).toBeUndefined();
  });

  it('finds messages by filter with + and #, not $ topics under a leading wildcard', () => {
    const store = new RetainedStore();
    for (const t of ['a', 'a/b', 'a/b/c', 'a/x', 'b/b', '$SYS/x']) store.set(msg(t, t));
    expect(topics(store, 'a/+')).toEqual(['a/b', 'a/x']);
    expect(topics(store, 'a/#')).toEqual(['a', 'a/b', 'a/b/c', 'a/x']);
    expect(topics(store, '+/b')).toEqual(['a/b', 'b/b']);
    expect(topics(store, '#')).toEqual(['a', 'a/b', 'a/b/c', 'a/x', 'b/b']);
    expect(topics(store, '+/x')).toEqual(['a/x']);
    expect(topics(store, '$SYS/#')).toEqual(['$SYS/x']);
    expect(topics(store, 'a/b/c')).toEqual(['a/b/c']);
  });

  it('walks a 100 000-level retained topic without recursion, for # and for the exact filter', () => {
    const store = new RetainedStore();
    const deep = Array<string>(100000).fill('x').join('/');
    store.set(msg(deep, 'deep'));
    store.set(msg('x', 'shallow'));
    expect(topics(store, '#')).toEqual([deep, 'x'].sort());
    expect(topics(store, 'x/#')).toEqual([deep, 'x'].sort());
    expect(topics(store, deep)).toEqual([deep]);
    store.set(msg(deep, ''));
    expect(store.size).toBe(1);
    expect(topics(store, '#')).toEqual(['x']);
  });

  it('visits matches depth first in insertion order', () => {
    const store = new RetainedStore();
    for (const t of ['b', 'a', 'a/z', 'a/y', 'c']) store.set(msg(t, t));
    const out: string[] = [];
    store.match('#', (m) => out.push(m.topic), 1000);
    expect(out).toEqual(['b', 'a', 'a/z', 'a/y', 'c']);
  });

  it('drops expired messages when met', () => {
    const store = new RetainedStore();
    store.set(msg('e', 'x', 10));
    expect(topics(store, 'e', 5000)).toEqual(['e']);
    expect(topics(store, 'e', 11000)).toEqual([]);
    expect(store.size).toBe(0);
  });
});

describe('RetainedStore against topicMatches (property)', () => {
  const level = fc.constantFrom('a', 'b', '$s', '');
  const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('/'));
  const filter = fc
    .tuple(fc.array(fc.constantFrom('a', 'b', '$s', '', '+'), { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([ls, hash]) => (hash ? [...ls.slice(0, -1), '#'] : ls).join('/'));

  it('finds exactly the retained topics the filter matches', () => {
    fc.assert(
      fc.property(fc.uniqueArray(topic, { maxLength: 12 }), filter, (topicsHeld, f) => {
        const store = new RetainedStore();
        for (const t of topicsHeld) store.set(msg(t, 'x'));
        expect(topics(store, f)).toEqual(topicsHeld.filter((t) => topicMatches(f, t)).sort());
      }),
    );
  });
});

describe('RetainedStore.values', () => {
  it('yields every retained message once, whatever the depth, and none of a cleared topic', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.array(fc.constantFrom('a', 'b', '$s', ''), { minLength: 1, maxLength: 5 }).map((ls) => ls.join('/')), { maxLength: 15 }), (held) => {
        const store = new RetainedStore();
        for (const t of held) store.set(msg(t, 'x'));
        const cleared = held.filter((_, i) => i % 3 === 0);
        for (const t of cleared) store.set(msg(t, ''));
        expect([...store.values()].map((m) => m.topic).sort()).toEqual(held.filter((t) => !cleared.includes(t)).sort());
      }),
    );
  });
});
