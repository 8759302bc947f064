import { callHook } from '../../lib/broker/auth-hooks';

describe('callHook', () => {
  it('returns a synchronous answer synchronously', () => {
    expect(callHook((n: number) => n > 1, 2, false)).toBe(true);
  });
  it('turns a throw into the fallback', () => {
    expect(
      callHook(
        () => {
          throw new Error('x');
        },
        1,
        false,
      ),
    ).toBe(false);
  });
  it('resolves async answers and turns a rejection into the fallback', async () => {
    await expect(callHook(async () => true, 1, false)).resolves.toBe(true);
    await expect(callHook(() => Promise.reject(new Error('no')), 1, false)).resolves.toBe(false);
  });
});
