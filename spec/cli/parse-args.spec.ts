import { InvalidArgumentError } from '../../lib/errors';
import { type OptionSpec, optionLabel, parseArgs } from '../../lib/cli/parse-args';

const specs: OptionSpec[] = [
  { long: 'topic', short: 't', kind: 'string', repeatable: true, valueName: 'TOPIC', description: 'topic' },
  { long: 'message', short: 'm', kind: 'string', description: 'message' },
  { long: 'qos', short: 'q', kind: 'integer', min: 0, max: 2, description: 'QoS' },
  { long: 'port', short: 'p', kind: 'integer', min: 1, max: 65535, description: 'port' },
  { long: 'retain', short: 'r', kind: 'flag', description: 'retain' },
  { long: 'format', kind: 'string', choices: ['text', 'json'], description: 'format' },
];

function errorOf(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidArgumentError) return e;
    throw e;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('parseArgs', () => {
  it('reads short, long and --name=value forms', () => {
    const args = parseArgs(['-t', 'a/b', '--message', 'hi', '--qos=2', '-r'], specs);
    expect(args.strings('topic')).toEqual(['a/b']);
    expect(args.string('message')).toBe('hi');
    expect(args.integer('qos')).toBe(2);
    expect(args.flag('retain')).toBe(true);
    expect(args.has('port')).toBe(false);
    expect(args.integer('port')).toBeUndefined();
    expect(args.string('format')).toBeUndefined();
  });

  it('keeps every value of a repeatable option in order', () => {
    const args = parseArgs(['-t', 'x', '--topic', 'y', '-t', 'z'], specs);
    expect(args.strings('topic')).toEqual(['x', 'y', 'z']);
    expect(args.string('topic')).toBe('z');
  });

  it('takes the next argument as the value even when it starts with a dash', () => {
    expect(parseArgs(['-m', '-5'], specs).string('message')).toBe('-5');
    expect(parseArgs(['-m', '--'], specs).string('message')).toBe('--');
    expect(parseArgs(['--message='], specs).string('message')).toBe('');
  });

  it('treats everything after -- as positionals', () => {
    const args = parseArgs(['-r', '--', '-t', 'x'], specs, { maxPositionals: 5 });
    expect(args.positionals).toEqual(['-t', 'x']);
    expect(args.flag('retain')).toBe(true);
    expect(args.has('topic')).toBe(false);
  });

  it('accepts positionals up to the allowed number', () => {
    expect(parseArgs(['one', '-r'], specs, { maxPositionals: 1 }).positionals).toEqual(['one']);
    const e = errorOf(() => parseArgs(['one', 'two'], specs, { maxPositionals: 1 }));
    expect(e.argument).toBe('two');
    expect(e.message).toBe('two: unexpected argument');
  });

  it.each([
    [['--nope'], '--nope', 'unknown option'],
    [['-x'], '-x', 'unknown option'],
    [['-tfoo'], '-tfoo', 'unknown option (short options take one letter and a separate value, e.g. -t topic)'],
    [['-t'], '-t/--topic', 'missing value TOPIC'],
    [['--qos'], '-q/--qos', 'missing value'],
    [['-q', '3'], '-q/--qos', "expected 0, 1 or 2, got '3'"],
    [['-q', '-1'], '-q/--qos', "expected 0, 1 or 2, got '-1'"],
    [['-q', 'one'], '-q/--qos', "expected 0, 1 or 2, got 'one'"],
    [['-q', '1.5'], '-q/--qos', "expected 0, 1 or 2, got '1.5'"],
    [['-p', '70000'], '-p/--port', "expected an integer from 1 to 65535, got '70000'"],
    [['-m', 'a', '-m', 'b'], '-m/--message', 'given more than once'],
    [['--retain=yes'], '-r/--retain', 'takes no value'],
    [['--format', 'xml'], '--format', "expected one of text, json, got 'xml'"],
    [['stray'], 'stray', 'unexpected argument'],
  ])('rejects %j naming %s', (argv, argument, message) => {
    const e = errorOf(() => parseArgs(argv, specs));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.argument).toBe(argument);
    expect(e.message).toBe(`${argument}: ${message}`);
  });

  it('refuses to read an option that is not defined or of another kind (caller bug)', () => {
    const args = parseArgs([], specs);
    expect(() => args.string('nope')).toThrow(InvalidArgumentError);
    expect(() => args.integer('topic')).toThrow(/is of kind string, not integer/);
  });

  it('labels options for messages', () => {
    expect(optionLabel(specs[0]!)).toBe('-t/--topic');
    expect(optionLabel(specs[5]!)).toBe('--format');
  });
});
