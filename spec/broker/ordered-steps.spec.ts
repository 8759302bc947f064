import { OrderedSteps } from '../../lib/broker/ordered-steps';

describe('OrderedSteps', () => {
  it('runs synchronous steps at once', () => {
    const seen: number[] = [];
    const steps = new OrderedSteps<number>((n) => void seen.push(n), () => true, () => undefined);
    steps.push(1);
    steps.push(2);
    expect(seen).toEqual([1, 2]);
  });

  it('holds later items while an asynchronous step is pending, then runs them in order', async () => {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const steps = new OrderedSteps<number>(
      (n) => {
        seen.push(`start ${n}`);
        if (n === 1) return new Promise<void>((r) => (release = () => (seen.push('end 1'), r())));
        return undefined;
      },
      () => true,
      () => undefined,
    );
    steps.push(1);
    steps.push(2);
    steps.push(3);
    expect(seen).toEqual(['start 1']);
    release();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['start 1', 'end 1', 'start 2', 'start 3']);
  });

  it('reports a rejected step and stops when no longer live', async () => {
    const errors: unknown[] = [];
    let live = true;
    const seen: number[] = [];
    const steps = new OrderedSteps<number>(
      (n) => {
        seen.push(n);
        return n === 1 ? Promise.reject(new Error('hook')) : undefined;
      },
      () => live,
      (e) => {
        errors.push(e);
        live = false;
      },
    );
    steps.push(1);
    steps.push(2);
    await new Promise((r) => setImmediate(r));
    expect((errors[0] as Error).message).toBe('hook');
    steps.push(3);
    expect(seen).toEqual([1]);
  });
});
