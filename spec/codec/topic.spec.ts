import { isSharedFilter, parseSharedFilter, topicFilterProblem, topicLevelCount, topicNameProblem } from '../../lib/codec/topic.js';

describe('topicNameProblem', () => {
  it.each(['a', 'a/b', '/', '//', 'a b', '$SYS/x', 'ü/€/😀'])('accepts %j', (topic) => {
    expect(topicNameProblem(topic)).toBeUndefined();
  });

  it.each([
    ['', 'MQTT-4.7.3-1'],
    ['a/+', 'MQTT-3.3.2-2'],
    ['a/#', 'MQTT-3.3.2-2'],
    ['a\u0000', 'MQTT-1.5.4-2'],
    ['\ud800', 'MQTT-1.5.4-1'],
    ['x'.repeat(65536), 'MQTT-1.5.4-1'],
  ])('rejects %j citing %s', (topic, ref) => {
    expect(topicNameProblem(topic)).toContain(`[${ref}]`);
  });

  it('rejects a non-string', () => {
    expect(topicNameProblem(5 as never)).toBe('must be a string');
  });
});

describe('topicFilterProblem', () => {
  it.each(['a', '#', '+', 'a/#', 'a/+/b', '+/+', '/#', 'a//b', '$share/g/a/#', '$share/g/+', '$SYS/#'])('accepts %j', (filter) => {
    expect(topicFilterProblem(filter)).toBeUndefined();
  });

  it.each([
    ['', 'MQTT-4.7.3-1'],
    ['a/#/b', 'MQTT-4.7.1-2'],
    ['a#', 'MQTT-4.7.1-2'],
    ['#/', 'MQTT-4.7.1-2'],
    ['a+', 'MQTT-4.7.1-3'],
    ['+a/b', 'MQTT-4.7.1-3'],
    ['$share//a', 'MQTT-4.8.2-1'],
    ['$share/g+/a', 'MQTT-4.8.2-2'],
    ['$share/g#/a', 'MQTT-4.8.2-2'],
    ['$share/g/a+', 'MQTT-4.7.1-3'],
    ['a\u0000', 'MQTT-1.5.4-2'],
  ])('rejects %j citing %s', (filter, ref) => {
    expect(topicFilterProblem(filter)).toContain(`[${ref}]`);
  });

  it('rejects a shared subscription without a filter', () => {
    expect(topicFilterProblem('$share/g')).toMatch(/topic filter after the share name/);
    expect(topicFilterProblem('$share/g/')).toMatch(/topic filter after the share name/);
  });

  it('tells shared filters apart', () => {
    expect(isSharedFilter('$share/g/a')).toBe(true);
    expect(isSharedFilter('$shared/g/a')).toBe(false);
    expect(isSharedFilter('a/$share/g')).toBe(false);
  });
});

describe('parseSharedFilter', () => {
  it('splits $share/{ShareName}/{filter} at the first slash after the share name', () => {
    expect(parseSharedFilter('$share/g/a/+')).toEqual({ shareName: 'g', filter: 'a/+' });
    expect(parseSharedFilter('$share/g//')).toEqual({ shareName: 'g', filter: '/' });
    expect(parseSharedFilter('a/b')).toBeUndefined();
    expect(parseSharedFilter('$shared/g/a')).toBeUndefined();
  });

  it.each([
    ['$share/', '', ''],
    ['$share/g', 'g', ''],
    ['$share//a', '', 'a'],
    ['$share/g/', 'g', ''],
  ])('splits the malformed %j without judging it', (filter, shareName, rest) => {
    expect(parseSharedFilter(filter)).toEqual({ shareName, filter: rest });
    expect(topicFilterProblem(filter)).toBeDefined();
  });
});

describe('topicLevelCount', () => {
  it.each([
    ['a', 1],
    ['a/b/c', 3],
    ['/', 2],
    ['', 1],
    ['a//b/', 4],
  ])('counts the levels of %j as %d', (topic, levels) => {
    expect(topicLevelCount(topic)).toBe(levels);
  });

  it('counts a 10 000-level topic', () => {
    expect(topicLevelCount(Array(10000).fill('x').join('/'))).toBe(10000);
  });
});
