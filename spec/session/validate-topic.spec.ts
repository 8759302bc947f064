import { InvalidArgumentError } from '../../lib/errors.js';
import { assertTopicFilter, assertTopicName, matchingFilter } from '../../lib/session/validate-topic.js';

function failure(fn: () => void): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('assertTopicFilter / assertTopicName', () => {
  it('accepts valid filters and names', () => {
    for (const f of ['a', 'a/b', '+', '#', 'a/+/c', 'a/#', '/', '$share/g/a/#', '$SYS/#']) expect(() => assertTopicFilter(f, 'filter')).not.toThrow();
    for (const t of ['a', 'a/b', '/', '$SYS/x', 'a b']) expect(() => assertTopicName(t, 'topic')).not.toThrow();
  });

  it('names the argument and the spec statement of the broken rule', () => {
    const hash = failure(() => assertTopicFilter('a/#/b', 'filter'));
    expect([hash.argument, hash.specRef]).toEqual(['filter', 'MQTT-4.7.1-2']);
    expect(failure(() => assertTopicFilter('a+', 'filter')).specRef).toBe('MQTT-4.7.1-3');
    expect(failure(() => assertTopicFilter('', 'filter')).specRef).toBe('MQTT-4.7.3-1');
    const wildcard = failure(() => assertTopicName('a/+', 'topic'));
    expect([wildcard.argument, wildcard.specRef]).toEqual(['topic', 'MQTT-3.3.2-2']);
    expect(failure(() => assertTopicName(7, 'will.topic')).message).toMatch(/^will.topic: expected a string/);
    expect(failure(() => assertTopicName('a\u0000b', 'topic')).argument).toBe('topic');
  });

  it('matches a shared subscription like its filter', () => {
    expect(matchingFilter('$share/g/a/+')).toBe('a/+');
    expect(matchingFilter('a/+')).toBe('a/+');
  });
});
