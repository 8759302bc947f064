import fc from 'fast-check';
import { backoffDelay, resolveBackoffBounds } from '../../lib/session/backoff-delay.js';
import { InvalidArgumentError } from '../../lib/errors.js';

describe('backoffDelay', () => {
  const bounds = { minDelay: 1000, maxDelay: 30_000 };

  it('draws between minDelay and a ceiling that doubles with each attempt', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, bounds, () => 0))).toEqual([1000, 1000, 1000, 1000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, bounds, () => 1))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffDelay(1, bounds, () => 0.5)).toBe(1500);
    expect(backoffDelay(3, bounds, () => 0.25)).toBe(1000 + 0.25 * 7000);
  });

  it('never exceeds maxDelay, also for very large attempts', () => {
    expect(backoffDelay(5, bounds, () => 1)).toBe(30_000);
    expect(backoffDelay(5000, bounds, () => 1)).toBe(30_000);
  });

  it('stays within [minDelay, min(maxDelay, minDelay * 2^attempt)] for any random value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 5000 }), (attempt, r, min) => {
        const max = min + 20_000;
        const delay = backoffDelay(attempt, { minDelay: min, maxDelay: max }, () => r);
        expect(delay).toBeGreaterThanOrEqual(min);
        expect(delay).toBeLessThanOrEqual(Math.min(max, min * 2 ** attempt) + 0.5);
      }),
    );
  });

  it('uses the defaults 1000 and 30 000 ms', () => {
    expect(resolveBackoffBounds({})).toEqual({ minDelay: 1000, maxDelay: 30_000 });
    expect(resolveBackoffBounds({ minDelay: 60_000 })).toEqual({ minDelay: 60_000, maxDelay: 60_000 });
  });

  it('throws InvalidArgumentError for bad attempts and bounds', () => {
    expect(() => backoffDelay(0, bounds)).toThrow(InvalidArgumentError);
    expect(() => backoffDelay(1.5, bounds)).toThrow(/attempt/);
    expect(() => backoffDelay(1, { minDelay: -1 })).toThrow(/reconnect.minDelay/);
    expect(() => backoffDelay(1, { minDelay: 10, maxDelay: 5 })).toThrow(/reconnect.maxDelay/);
    expect(() => backoffDelay(1, { minDelay: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
