import { InvalidArgumentError } from '../../lib/errors.js';
import { OfflineBudget, offlineQueueLimits } from '../../lib/session/offline-queue.js';

describe('offlineQueueLimits', () => {
  it('fills in the defaults: 1000 messages, 16 MiB, reject-new', () => {
    expect(offlineQueueLimits()).toEqual({ maxMessages: 1000, maxBytes: 16 * 1024 * 1024, overflow: 'reject-new' });
    expect(offlineQueueLimits({ maxMessages: 0, overflow: 'drop-oldest' })).toMatchObject({ maxMessages: 0, overflow: 'drop-oldest' });
  });

  it('throws InvalidArgumentError naming the option', () => {
    expect(() => offlineQueueLimits({ maxMessages: -1 })).toThrow(/offlineQueue.maxMessages/);
    expect(() => offlineQueueLimits({ maxMessages: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => offlineQueueLimits({ maxBytes: 'x' as never })).toThrow(/offlineQueue.maxBytes/);
    expect(() => offlineQueueLimits({ overflow: 'drop-newest' as never })).toThrow(/offlineQueue.overflow/);
    expect(() => offlineQueueLimits(null as never)).toThrow(/offlineQueue/);
  });
});

describe('OfflineBudget', () => {
  it('counts messages and bytes against both limits', () => {
    const budget = new OfflineBudget({ maxMessages: 2, maxBytes: 10 });
    expect(budget.fits(10)).toBe(true);
    expect(budget.fits(11)).toBe(false);
    budget.add(6);
    expect([budget.fits(4), budget.fits(5)]).toEqual([true, false]);
    budget.add(1);
    expect(budget.fits(0)).toBe(false); // two messages held
    expect(budget.describe()).toBe('2 of 2 messages, 7 of 10 bytes');
    budget.remove(6);
    expect(budget.fits(3)).toBe(true);
    budget.clear();
    expect(budget.describe()).toBe('0 of 2 messages, 0 of 10 bytes');
  });

  it('couldFit says whether a message fits into the empty queue at all', () => {
    expect(new OfflineBudget({ maxBytes: 10 }).couldFit(11)).toBe(false);
    expect(new OfflineBudget({ maxMessages: 0 }).couldFit(0)).toBe(false);
    expect(new OfflineBudget({}).couldFit(100)).toBe(true);
  });
});
