import { InvalidArgumentError } from '../../lib/errors';
import { checkTopicFilter, checkTopicName } from '../../lib/cli/topic-checks';

function failure(fn: () => void): InvalidArgumentError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidArgumentError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('checkTopicName', () => {
  it.each(['a', 'a/b', '/a', 'a/', 'sensors/kitchen/temperature', '$SYS-like', 'é/ü'])('accepts %s', (topic) => {
    expect(() => checkTopicName(topic, '-t')).not.toThrow();
  });

  it.each([
    ['a/+', 'MQTT-3.3.2-2'],
    ['#', 'MQTT-3.3.2-2'],
    ['', 'MQTT-4.7.3-1'],
    ['a\u0000b', 'MQTT-4.7.3-2'],
    ['x'.repeat(65536), 'MQTT-4.7.3-3'],
  ])('rejects %j citing %s', (topic, specRef) => {
    const e = failure(() => checkTopicName(topic, '-t/--topic'));
    expect(e.argument).toBe('-t/--topic');
    expect(e.specRef).toBe(specRef);
  });
});

describe('checkTopicFilter', () => {
  it.each(['#', '+', 'a/#', 'a/+/b', '+/+', '/#', 'a/b'])('accepts %s', (filter) => {
    expect(() => checkTopicFilter(filter, '-t')).not.toThrow();
  });

  it.each([
    ['a/#/b', 'MQTT-4.7.1-2'],
    ['a#', 'MQTT-4.7.1-2'],
    ['a/b#', 'MQTT-4.7.1-2'],
    ['a+/b', 'MQTT-4.7.1-3'],
    ['a/+b', 'MQTT-4.7.1-3'],
    ['', 'MQTT-4.7.3-1'],
  ])('rejects %j citing %s', (filter, specRef) => {
    const e = failure(() => checkTopicFilter(filter, '-t/--topic'));
    expect(e.specRef).toBe(specRef);
    expect(e.message).toContain(`[${specRef}]`);
  });
});
