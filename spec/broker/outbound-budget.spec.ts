import { OutboundBudget } from '../../lib/broker/outbound-budget';

describe('OutboundBudget (fake clock)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('stays writable until the budget is spent after a full send buffer, and reports a client that stays over it', () => {
    const slow: number[] = [];
    const b = new OutboundBudget(100, 300, (ms) => slow.push(ms));
    b.sent(1000, true, true);
    expect(b.writable).toBe(true); // the transport took it: no budget spent
    b.sent(10, false, true); // now congested
    b.sent(60, undefined, true);
    expect(b.writable).toBe(true);
    b.sent(40, undefined, true); // 100 bytes since congestion
    expect(b.writable).toBe(false);
    jest.advanceTimersByTime(299);
    expect(slow).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(slow).toEqual([300]);
  });

  it('gets the whole budget back when the transport drains, and then reports nothing', () => {
    const slow: number[] = [];
    const b = new OutboundBudget(10, 300, (ms) => slow.push(ms));
    b.sent(1, false, true);
    b.sent(10, undefined, true);
    expect(b.writable).toBe(false);
    b.drained();
    expect(b.writable).toBe(true);
    jest.advanceTimersByTime(1000);
    expect(slow).toEqual([]);
  });

  it('never congests a transport that cannot say when it drains', () => {
    const b = new OutboundBudget(10, 300, () => undefined);
    b.sent(1, false, false);
    b.sent(100, false, false);
    expect(b.writable).toBe(true);
  });
});
