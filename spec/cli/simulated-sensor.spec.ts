import { Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { CliClient } from '../../lib/cli/cli-deps';
import { simulatedSensor, temperature } from '../../lib/cli/simulated-sensor';

describe('temperature', () => {
  it('goes from base to base + drift, with noise of at most half a degree', () => {
    const options = { base: 20, drift: 10, readings: 11 };
    expect(temperature(options, 0, () => 0.5)).toBe(20);
    expect(temperature(options, 5, () => 0.5)).toBe(25);
    expect(temperature(options, 10, () => 0.5)).toBe(30);
    expect(temperature(options, 10, () => 0)).toBe(29.5);
    expect(temperature(options, 0, () => 0.999)).toBe(20.5);
    expect(temperature({ base: 20, drift: 10, readings: 1 }, 0, () => 0.5)).toBe(20);
  });
});

describe('simulatedSensor', () => {
  it('publishes JSON readings at QoS 1 at each interval and emits each acknowledged seq', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable, flush }) => {
      const published: { topic: string; payload: unknown; options: unknown }[] = [];
      const client: CliClient = {
        subscribe: () => of(),
        // The broker acknowledges 2 frames after the publish is handed over.
        publish: (topic, payload, options) => {
          published.push({ topic, payload: JSON.parse(String(payload)), options });
          return cold<void>('--|');
        },
        disconnect: async () => undefined,
      };
      const sensor = simulatedSensor(client, { id: 's1', base: 20, drift: 2, intervalMs: 5, readings: 3, random: () => 0.5 });
      expectObservable(sensor).toBe('7ms a 4ms b 4ms (c|)', { a: 0, b: 1, c: 2 });
      flush();
      expect(published).toEqual([
        { topic: 'sensors/s1/temperature', payload: { seq: 0, celsius: 20 }, options: { qos: 1, retain: false } },
        { topic: 'sensors/s1/temperature', payload: { seq: 1, celsius: 21 }, options: { qos: 1, retain: false } },
        { topic: 'sensors/s1/temperature', payload: { seq: 2, celsius: 22 }, options: { qos: 1, retain: false } },
      ]);
    });
  });

  it('fails when a publish fails, and does not report that reading as sent', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ expectObservable }) => {
      const client: CliClient = {
        subscribe: () => of(),
        publish: () => new Observable<void>((s) => s.error(new Error('refused'))),
        disconnect: async () => undefined,
      };
      const sensor = simulatedSensor(client, { id: 's1', base: 20, drift: 0, intervalMs: 5, readings: 3 });
      expectObservable(sensor).toBe('5ms #', undefined, new Error('refused'));
    });
  });
});
