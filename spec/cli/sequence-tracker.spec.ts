import { SequenceTracker } from '../../lib/cli/sequence-tracker';

describe('SequenceTracker', () => {
  it('reports nothing lost when every sent number arrived, in any order', () => {
    const tracker = new SequenceTracker();
    for (const [source, seq] of [['a', 2], ['b', 0], ['a', 0], ['a', 1], ['b', 1]] as const) expect(tracker.received(source, seq)).toBe(true);
    const sent = new Map([['a', [0, 1, 2]], ['b', [0, 1]]]);
    expect(tracker.report(sent)).toEqual({ sent: 5, received: 5, lost: 0, duplicates: 0, unexpected: 0 });
    expect(tracker.hasAll(sent)).toBe(true);
    expect(tracker.receivedCount).toBe(5);
  });

  it('counts a sent number that never arrived as lost, even when the totals would match', () => {
    const tracker = new SequenceTracker();
    tracker.received('a', 0);
    tracker.received('a', 5); // not sent by anyone
    const sent = new Map([['a', [0, 1]]]);
    expect(tracker.report(sent)).toEqual({ sent: 2, received: 2, lost: 1, duplicates: 0, unexpected: 1 });
    expect(tracker.hasAll(sent)).toBe(false);
  });

  it('counts duplicates separately and does not let them hide a loss', () => {
    const tracker = new SequenceTracker();
    expect(tracker.received('a', 0)).toBe(true);
    expect(tracker.received('a', 0)).toBe(false);
    expect(tracker.report(new Map([['a', [0, 1]]]))).toEqual({ sent: 2, received: 1, lost: 1, duplicates: 1, unexpected: 0 });
  });

  it('keeps sources apart: the same number from another source is not a duplicate', () => {
    const tracker = new SequenceTracker();
    tracker.received('a', 0);
    expect(tracker.received('b', 0)).toBe(true);
    expect(tracker.report(new Map([['a', [0]], ['b', [0]], ['c', [0]]]))).toEqual({ sent: 3, received: 2, lost: 1, duplicates: 0, unexpected: 0 });
  });
});
