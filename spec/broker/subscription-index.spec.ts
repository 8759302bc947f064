import fc from 'fast-check';
import { topicMatches } from '../../lib/session/topic-tree';
import { SubscriptionIndex, type BrokerSubscription } from '../../lib/broker/subscription-index';

function sub(session: string, filter: string, group?: string): BrokerSubscription<string> {
  return { session, filter, group, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: undefined };
}

function matches(index: SubscriptionIndex<string>, topic: string): string[] {
  const out: string[] = [];
  index.match(topic, (s) => out.push(`${s.session}:${s.filter}`));
  return out.sort();
}

describe('SubscriptionIndex', () => {
  it('matches exact, + and # filters and honours the $ rule', () => {
    const index = new SubscriptionIndex<string>(() => true);
    index.add(sub('a', 'x/y'));
    index.add(sub('b', 'x/+'));
    index.add(sub('c', '#'));
    index.add(sub('d', '$SYS/#'));
    expect(matches(index, 'x/y')).toEqual(['a:x/y', 'b:x/+', 'c:#']);
    expect(matches(index, 'x/z')).toEqual(['b:x/+', 'c:#']);
    expect(matches(index, '$SYS/load')).toEqual(['d:$SYS/#']);
  });

  it('removes subscriptions', () => {
    const index = new SubscriptionIndex<string>(() => true);
    const s = sub('a', 'x/+');
    index.add(s);
    expect(index.remove(s)).toBe(true);
    expect(index.remove(s)).toBe(false);
    expect(matches(index, 'x/y')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('gives each message of a shared group to one member, round robin', () => {
    const index = new SubscriptionIndex<string>(() => true);
    index.add(sub('a', 't/#', 'g'));
    index.add(sub('b', 't/#', 'g'));
    index.add(sub('c', 't/#', 'h'));
    const seen = [1, 2, 3, 4].map(() => matches(index, 't/1'));
    expect(seen).toEqual([
      ['a:t/#', 'c:t/#'],
      ['b:t/#', 'c:t/#'],
      ['a:t/#', 'c:t/#'],
      ['b:t/#', 'c:t/#'],
    ]);
  });

  it('prefers online members of a shared group and drops empty groups', () => {
    const online = new Set(['b']);
    const index = new SubscriptionIndex<string>((s) => online.has(s));
    const a = sub('a', 't', 'g');
    const b = sub('b', 't', 'g');
    index.add(a);
    index.add(b);
    expect([matches(index, 't'), matches(index, 't')]).toEqual([['b:t'], ['b:t']]);
    online.clear();
    expect(matches(index, 't')).toHaveLength(1);
    index.remove(a);
    index.remove(b);
    expect(index.size).toBe(0);
    expect(matches(index, 't')).toEqual([]);
  });
});

describe('SubscriptionIndex against topicMatches (property)', () => {
  // Small alphabets so that random filters and topics often match.
  const level = fc.constantFrom('a', 'b', '$s', '');
  const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('/'));
  const filter = fc
    .tuple(fc.array(fc.constantFrom('a', 'b', '$s', '', '+'), { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([ls, hash]) => (hash ? [...ls.slice(0, -1), '#'] : ls).join('/'));

  it('visits exactly the non-shared subscriptions whose filter matches', () => {
    fc.assert(
      fc.property(fc.uniqueArray(filter, { maxLength: 12 }), topic, (filters, t) => {
        const index = new SubscriptionIndex<string>(() => true);
        filters.forEach((f, i) => index.add(sub(`s${i}`, f)));
        const expected = filters.filter((f) => topicMatches(f, t)).sort();
        const seen: string[] = [];
        index.match(t, (s) => seen.push(s.filter));
        expect(seen.sort()).toEqual(expected);
      }),
    );
  });
});
