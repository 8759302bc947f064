import fc from 'fast-check';
import { topicMatches } from '../../lib/session/topic-tree';
import { FilterTree } from '../../lib/broker/filter-tree';

function matched(tree: FilterTree<string>, topic: string): string[] {
  const out: string[] = [];
  tree.match(topic, (v) => out.push(v));
  return out.sort();
}

/** A topic or filter of `n` levels; 100 000 levels overflow any recursive walk of V8's default stack. */
const deep = (n: number, last = 'x'): string => [...Array<string>(n - 1).fill('x'), last].join('/');

describe('FilterTree', () => {
  it('matches exact, + and # filters, # including the parent level [MQTT-4.7.1-2]', () => {
    const tree = new FilterTree<string>();
    for (const f of ['a/b', 'a/+', 'a/#', '#', '+/+', '+']) tree.add(f, f);
    expect(matched(tree, 'a/b')).toEqual(['#', '+/+', 'a/#', 'a/+', 'a/b']);
    expect(matched(tree, 'a')).toEqual(['#', '+', 'a/#']);
    expect(matched(tree, 'b/c/d')).toEqual(['#']);
  });

  it('keeps $ topics from filters starting with a wildcard [MQTT-4.7.2-1]', () => {
    const tree = new FilterTree<string>();
    for (const f of ['#', '+/x', '$SYS/#', '$SYS/+']) tree.add(f, f);
    expect(matched(tree, '$SYS/x')).toEqual(['$SYS/#', '$SYS/+']);
  });

  it('adds a pair once, removes it, prunes and counts', () => {
    const tree = new FilterTree<string>();
    expect(tree.add('a/+', 'v')).toBe(true);
    expect(tree.add('a/+', 'v')).toBe(false);
    expect(tree.add('a/+', 'w')).toBe(true);
    expect(tree.size).toBe(2);
    expect(tree.remove('a/+', 'v')).toBe(true);
    expect(tree.remove('a/+', 'v')).toBe(false);
    expect(tree.remove('a/b', 'w')).toBe(false);
    expect(matched(tree, 'a/z')).toEqual(['w']);
    tree.remove('a/+', 'w');
    expect(tree.size).toBe(0);
    expect(matched(tree, 'a/z')).toEqual([]);
  });

  it('walks a 100 000-level filter and topic without recursion', () => {
    const tree = new FilterTree<string>();
    tree.add(deep(100000), 'exact');
    tree.add(deep(100000, '+'), 'plus');
    tree.add(deep(99999, '#'), 'hash');
    tree.add('#', 'all');
    expect(matched(tree, deep(100000))).toEqual(['all', 'exact', 'hash', 'plus']);
    expect(tree.remove(deep(100000), 'exact')).toBe(true);
    expect(matched(tree, deep(100000))).toEqual(['all', 'hash', 'plus']);
  });

  it('serves a match started from inside a visit', () => {
    const tree = new FilterTree<string>();
    tree.add('a/+', 'outer');
    tree.add('b', 'inner');
    const seen: string[] = [];
    tree.match('a/x', (v) => {
      seen.push(v);
      tree.match('b', (w) => seen.push(w));
    });
    expect(seen).toEqual(['outer', 'inner']);
    expect(matched(tree, 'a/y')).toEqual(['outer']);
  });

  it('visits exactly the values whose filter matches (property)', () => {
    const level = fc.constantFrom('a', 'b', '$s', '');
    const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('/'));
    const filter = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', '$s', '', '+'), { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([ls, hash]) => (hash ? [...ls.slice(0, -1), '#'] : ls).join('/'));
    fc.assert(
      fc.property(fc.uniqueArray(filter, { maxLength: 16 }), topic, (filters, t) => {
        const tree = new FilterTree<string>();
        for (const f of filters) tree.add(f, f);
        expect(matched(tree, t)).toEqual(filters.filter((f) => topicMatches(f, t)).sort());
      }),
    );
  });
});
