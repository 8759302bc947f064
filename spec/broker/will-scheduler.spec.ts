import { brokerMessage, type BrokerMessage } from '../../lib/broker/broker-message';
import { WillScheduler } from '../../lib/broker/will-scheduler';

const will = (topic: string): BrokerMessage => brokerMessage(topic, new Uint8Array([1]), 1, false, undefined, 'c', 0);

describe('WillScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('publishes at once without a delay, and after the delay otherwise', () => {
    const published: string[] = [];
    const wills = new WillScheduler((m) => published.push(m.topic));
    wills.schedule('a', will('now'), 0);
    wills.schedule('b', will('later'), 5);
    expect(published).toEqual(['now']);
    jest.advanceTimersByTime(4999);
    expect(published).toEqual(['now']);
    jest.advanceTimersByTime(1);
    expect(published).toEqual(['now', 'later']);
    expect(wills.size).toBe(0);
  });

  it('cancels a pending will and flushes one early', () => {
    const published: string[] = [];
    const wills = new WillScheduler((m) => published.push(m.topic));
    wills.schedule('a', will('cancelled'), 5);
    wills.schedule('b', will('flushed'), 5);
    wills.cancel('a');
    wills.flush('b');
    expect(published).toEqual(['flushed']);
    jest.advanceTimersByTime(10000);
    expect(published).toEqual(['flushed']);
  });

  it('drops everything on clear', () => {
    const published: string[] = [];
    const wills = new WillScheduler((m) => published.push(m.topic));
    wills.schedule('a', will('x'), 1);
    wills.clear();
    jest.advanceTimersByTime(2000);
    expect(published).toEqual([]);
  });
});
