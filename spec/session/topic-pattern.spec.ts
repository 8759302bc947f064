import fc from 'fast-check';
import { InvalidArgumentError } from '../../lib/errors.js';
import { topicPattern, type PatternParams } from '../../lib/session/topic-pattern.js';
import { topicMatches } from '../../lib/session/topic-tree.js';

// Compile-time checks (tsc runs over spec/ in npm test): the parameters are inferred from the literal.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const inferred: Equal<PatternParams<'devices/:id/sensors/:kind'>, { readonly id: string; readonly kind: string }> = true;
const rest: Equal<PatternParams<'logs/:app/#path'>, { readonly app: string; readonly path: readonly string[] }> = true;
const none: Equal<PatternParams<'a/+/#'>, {}> = true;

describe('topicPattern', () => {
  it('infers the parameter types from the string literal', () => {
    expect([inferred, rest, none]).toEqual([true, true, true]);
  });

  it('gives the MQTT filter and matches topics into typed parameters', () => {
    const p = topicPattern('devices/:id/sensors/:kind');
    expect(p.filter).toBe('devices/+/sensors/+');
    expect(p.pattern).toBe('devices/:id/sensors/:kind');
    const params = p.match('devices/d7/sensors/temperature');
    expect(params).toEqual({ id: 'd7', kind: 'temperature' });
    expect(params?.id.toUpperCase()).toBe('D7');
    expect(p.match('devices/d7/sensors')).toBeUndefined();
    expect(p.match('devices/d7/sensors/t/extra')).toBeUndefined();
    expect(p.match('devices/d7/actuators/t')).toBeUndefined();
  });

  it('takes a trailing #name as the remaining levels, also none (# matches the parent [MQTT-4.7.1-2])', () => {
    const p = topicPattern('logs/:app/#path');
    expect(p.filter).toBe('logs/+/#');
    expect(p.match('logs/api/errors/500')).toEqual({ app: 'api', path: ['errors', '500'] });
    expect(p.match('logs/api')).toEqual({ app: 'api', path: [] });
    expect(p.match('other/api')).toBeUndefined();
  });

  it('keeps unnamed + and #, and does not match $ topics with a leading wildcard [MQTT-4.7.2-1]', () => {
    const p = topicPattern('+/status/#');
    expect(p.filter).toBe('+/status/#');
    expect(p.match('door/status/open')).toEqual({});
    expect(p.match('$SYS/status/x')).toBeUndefined();
    expect(topicPattern(':node/status').match('$SYS/status')).toBeUndefined();
  });

  it('builds topics from parameters, and refuses values that are not one level', () => {
    const p = topicPattern('devices/:id/sensors/:kind');
    expect(p.topic({ id: 'd7', kind: 'humidity' })).toBe('devices/d7/sensors/humidity');
    expect(topicPattern('logs/:app/#path').topic({ app: 'api', path: ['a', 'b'] })).toBe('logs/api/a/b');
    expect(() => p.topic({ id: 'a/b', kind: 'x' })).toThrow(InvalidArgumentError);
    expect(() => p.topic({ id: 'a+', kind: 'x' })).toThrow(/wildcard/);
    expect(() => p.topic({ id: 7 as unknown as string, kind: 'x' })).toThrow(/params.id/);
    expect(() => topicPattern('a/+').topic({})).toThrow(/unnamed wildcard/);
  });

  it('refuses invalid patterns with InvalidArgumentError saying why', () => {
    expect(() => topicPattern('a/#rest/b')).toThrow(/must be the last level.*MQTT-4.7.1-2/);
    expect(() => topicPattern('a/:id/:id')).toThrow(/appears twice/);
    expect(() => topicPattern('a/:1x')).toThrow(/identifier/);
    expect(() => topicPattern('a/:')).toThrow(/identifier/);
    expect(() => topicPattern('')).toThrow(/MQTT-4.7.3-1/);
    expect(() => topicPattern('a/#/b')).toThrow(/MQTT-4.7.1-2/);
    expect(() => topicPattern('a/b+')).toThrow(InvalidArgumentError);
    expect(() => topicPattern(42 as unknown as string)).toThrow(/must be a string/);
  });

  it('matches exactly the topics its filter matches (fast-check)', () => {
    const level = fc.constantFrom('a', 'b', 'c', '$x', '');
    const patternLevel = fc.constantFrom('a', 'b', ':p1', ':p2', '+', '$x');
    fc.assert(
      fc.property(fc.array(patternLevel, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(level, { minLength: 1, maxLength: 5 }), (levels, hash, topicLevels) => {
        const named = levels.map((l, i) => (l.startsWith(':') ? `:p${i}` : l)); // unique names
        const pattern = topicPattern([...named, ...(hash ? ['#rest'] : [])].join('/'));
        const topic = topicLevels.join('/');
        expect(pattern.match(topic) !== undefined).toBe(topicMatches(pattern.filter, topic));
      }),
    );
  });
});
