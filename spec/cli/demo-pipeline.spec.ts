import { TestScheduler } from 'rxjs/testing';
import { type Reading, type SensorWindow, parseReading, sensorWindows } from '../../lib/cli/demo-pipeline';

function reading(sensor: string, seq: number, celsius: number): Reading {
  return { sensor, seq, celsius };
}

function window(sensor: string, values: number[], threshold: number): SensorWindow {
  const average = values.reduce((a, b) => a + b, 0) / values.length;
  return { sensor, count: values.length, average, min: Math.min(...values), max: Math.max(...values), alert: average > threshold };
}

describe('parseReading', () => {
  it('reads the sensor id from the topic and seq/celsius from JSON', () => {
    expect(parseReading('sensors/kitchen/temperature', '{"seq":7,"celsius":21.25}')).toEqual({ sensor: 'kitchen', seq: 7, celsius: 21.25 });
  });

  it.each([
    ['sensors/a/humidity', '{"seq":0,"celsius":1}'],
    ['sensors/a/b/temperature', '{"seq":0,"celsius":1}'],
    ['sensors//temperature', '{"seq":0,"celsius":1}'],
    ['sensors/a/temperature', 'not json'],
    ['sensors/a/temperature', 'null'],
    ['sensors/a/temperature', '42'],
    ['sensors/a/temperature', '{"seq":-1,"celsius":1}'],
    ['sensors/a/temperature', '{"seq":1.5,"celsius":1}'],
    ['sensors/a/temperature', '{"seq":"1","celsius":1}'],
    ['sensors/a/temperature', '{"seq":1,"celsius":"hot"}'],
    ['sensors/a/temperature', '{"seq":1}'],
  ])('ignores %s %s', (topic, text) => {
    expect(parseReading(topic, text)).toBeUndefined();
  });
});

describe('sensorWindows', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('averages each sensor over its own windows and flags averages above the threshold', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // Window of 10 frames. Sensor a starts at 0 (windows end at 10, 20), sensor b at 2 (ends at 12).
      const source = cold('a-b-c----d-e---------|', {
        a: reading('a', 0, 20),
        b: reading('b', 0, 35),
        c: reading('a', 1, 22),
        d: reading('b', 1, 31),
        e: reading('a', 2, 40),
      });
      // a's windows end at 10 and 20; b's at 12 (and 22, after the source completed at 21).
      expectObservable(source.pipe(sensorWindows({ windowMs: 10, threshold: 30, scheduler }))).toBe('10ms x 1ms y 7ms z |', {
        x: window('a', [20, 22], 30),
        y: window('b', [35, 31], 30),
        z: window('a', [40], 30),
      });
    });
  });

  it('skips empty windows and emits the last partial window when the source completes', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a 25ms b|', { a: reading('s', 0, 10), b: reading('s', 1, 50) });
      // a at 0 -> window [0,10) emits at 10; windows ending at 20 are empty; b at 26, source ends at 27.
      expectObservable(source.pipe(sensorWindows({ windowMs: 10, threshold: 30, scheduler }))).toBe('10ms x 16ms (y|)', {
        x: window('s', [10], 30),
        y: window('s', [50], 30),
      });
    });
  });

  it('does not alert at exactly the threshold', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a|', { a: reading('s', 0, 30) });
      expectObservable(source.pipe(sensorWindows({ windowMs: 10, threshold: 30, scheduler }))).toBe('-(x|)', { x: window('s', [30], 30) });
    });
  });

  it('forwards an error from the source', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Reading>('a-#', { a: reading('s', 0, 1) }, new Error('boom'));
      expectObservable(source.pipe(sensorWindows({ windowMs: 10, threshold: 30, scheduler }))).toBe('--#', undefined, new Error('boom'));
    });
  });

  it('stops its windows when unsubscribed early', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-d-e-f-g-h-i-j-k|', {
        a: reading('s', 0, 1), b: reading('s', 1, 1), c: reading('s', 2, 1), d: reading('s', 3, 1), e: reading('s', 4, 1),
        f: reading('s', 5, 1), g: reading('s', 6, 1), h: reading('s', 7, 1), i: reading('s', 8, 1), j: reading('s', 9, 1), k: reading('s', 10, 1),
      });
      expectObservable(source.pipe(sensorWindows({ windowMs: 7, threshold: 30, scheduler })), '^ 11ms !').toBe('7ms x', { x: window('s', [1, 1, 1, 1], 30) });
      expectSubscriptions(source.subscriptions).toBe('^ 11ms !');
    });
  });
});
