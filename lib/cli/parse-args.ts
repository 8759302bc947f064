import { InvalidArgumentError } from '../errors.js';

/** What an option takes: a text value, an integer value, or nothing (a switch). */
export type OptionKind = 'string' | 'integer' | 'flag';

/** Describes one command-line option. */
export interface OptionSpec {
  /** The long name without dashes: `topic` is written `--topic`. It is also the key to read the value by. */
  readonly long: string;
  /** A one-character short name: `t` is written `-t`. */
  readonly short?: string;
  readonly kind: OptionKind;
  /** May be given several times; every value is kept in order. */
  readonly repeatable?: boolean;
  /** Smallest accepted value of an `integer` option. */
  readonly min?: number;
  /** Largest accepted value of an `integer` option. */
  readonly max?: number;
  /** The accepted values of a `string` option. */
  readonly choices?: readonly string[];
  /** The value's placeholder in the help text, e.g. `TOPIC`. */
  readonly valueName?: string;
  /** One line for the help text. */
  readonly description: string;
}

/**
 * The result of {@link parseArgs}: typed accessors by long name, and the positional arguments.
 * Accessors throw `InvalidArgumentError` when asked for a name that is not in the specs (a bug in
 * the caller, not in the user's input).
 */
export class ParsedArgs {
  constructor(
    private readonly specs: ReadonlyMap<string, OptionSpec>,
    private readonly values: ReadonlyMap<string, readonly (string | number)[]>,
    /** Arguments that are not options, in order (everything after `--` included). */
    readonly positionals: readonly string[],
  ) {}

  /** Whether the option was given at least once. */
  has(long: string): boolean {
    this.spec(long);
    return this.values.has(long);
  }

  /** The last value of a `string` option, or undefined when absent. */
  string(long: string): string | undefined {
    const all = this.all(long, 'string');
    return all.length === 0 ? undefined : String(all[all.length - 1]);
  }

  /** Every value of a repeatable `string` option, in order. */
  strings(long: string): readonly string[] {
    return this.all(long, 'string').map(String);
  }

  /** The last value of an `integer` option, or undefined when absent. */
  integer(long: string): number | undefined {
    const all = this.all(long, 'integer');
    return all.length === 0 ? undefined : Number(all[all.length - 1]);
  }

  /** Whether a `flag` option was given. */
  flag(long: string): boolean {
    return this.all(long, 'flag').length > 0;
  }

  private all(long: string, kind: OptionKind): readonly (string | number)[] {
    const spec = this.spec(long);
    if (spec.kind !== kind) throw new InvalidArgumentError('long', `option --${long} is of kind ${spec.kind}, not ${kind}`);
    return this.values.get(long) ?? [];
  }

  private spec(long: string): OptionSpec {
    const spec = this.specs.get(long);
    if (spec === undefined) throw new InvalidArgumentError('long', `no option --${long} is defined`);
    return spec;
  }
}

/** How an option is named in messages: `-q/--qos` or `--url`. */
export function optionLabel(spec: OptionSpec): string {
  return spec.short === undefined ? `--${spec.long}` : `-${spec.short}/--${spec.long}`;
}

/**
 * Whether `--help` appears among the options (before a `--`), so help can be shown even when the
 * other arguments are incomplete.
 *
 * @example
 * ```ts
 * wantsHelp(['-t', 'x', '--help']); // true
 * ```
 */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--help');
}

/**
 * Whether `argv` asks for the version (`--version` before any `--`), which every command answers
 * like `rxmqtt --version`.
 *
 * @example
 * ```ts
 * wantsVersion(['-t', 'x', '--version']); // true
 * ```
 */
export function wantsVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--version');
}

const INTEGER = /^[+-]?\d+$/;

/**
 * Parses command-line arguments against option specs, the way getopt-style tools do:
 * `-t value`, `--topic value`, `--topic=value`, `--` ends the options. A value is always the next
 * argument, even when it starts with a dash (`-m -5`). Switches take no value.
 *
 * Throws `InvalidArgumentError` (code `INVALID_ARGUMENT`, `argument` = the option as written) for
 * an unknown option, a missing or malformed value, an integer out of range, a value that is not one
 * of the choices, a repeated non-repeatable option, or positionals when none are allowed.
 *
 * @example
 * ```ts
 * const args = parseArgs(['-t', 'a/b', '-q', '1'], [
 *   { long: 'topic', short: 't', kind: 'string', description: 'topic' },
 *   { long: 'qos', short: 'q', kind: 'integer', min: 0, max: 2, description: 'QoS' },
 * ]);
 * args.string('topic'); // 'a/b'
 * args.integer('qos');  // 1
 * ```
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  options: { readonly maxPositionals?: number } = {},
): ParsedArgs {
  const byLong = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const spec of specs) {
    byLong.set(spec.long, spec);
    if (spec.short !== undefined) byShort.set(spec.short, spec);
  }
  const values = new Map<string, (string | number)[]>();
  const positionals: string[] = [];
  const maxPositionals = options.maxPositionals ?? 0;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
      spec = byLong.get(name);
      if (spec === undefined) throw new InvalidArgumentError(`--${name}`, 'unknown option');
    } else if (arg.length === 2 && arg[0] === '-' && arg !== '-') {
      spec = byShort.get(arg[1]!);
      if (spec === undefined) throw new InvalidArgumentError(arg, 'unknown option');
    } else if (arg.startsWith('-') && arg.length > 2) {
      throw new InvalidArgumentError(arg, 'unknown option (short options take one letter and a separate value, e.g. -t topic)');
    } else {
      positionals.push(arg);
      continue;
    }

    const label = optionLabel(spec);
    const list = values.get(spec.long) ?? [];
    if (list.length > 0 && spec.repeatable !== true) throw new InvalidArgumentError(label, 'given more than once');
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new InvalidArgumentError(label, 'takes no value');
      list.push(1);
    } else {
      let raw = inline;
      if (raw === undefined) {
        if (i + 1 >= argv.length) throw new InvalidArgumentError(label, `missing value${spec.valueName ? ` ${spec.valueName}` : ''}`);
        raw = argv[++i]!;
      }
      list.push(spec.kind === 'integer' ? parseInteger(spec, label, raw) : checkChoice(spec, label, raw));
    }
    values.set(spec.long, list);
  }

  if (positionals.length > maxPositionals) {
    throw new InvalidArgumentError(positionals[maxPositionals]!, 'unexpected argument');
  }
  return new ParsedArgs(byLong, values, positionals);
}

function parseInteger(spec: OptionSpec, label: string, raw: string): number {
  const range = describeRange(spec);
  if (!INTEGER.test(raw)) throw new InvalidArgumentError(label, `expected ${range}, got '${raw}'`);
  const value = Number(raw);
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(label, `expected ${range}, got '${raw}'`);
  }
  return value;
}

function describeRange(spec: OptionSpec): string {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined && max - min <= 2) {
    const all = Array.from({ length: max - min + 1 }, (_, k) => String(min + k));
    return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
  }
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min !== undefined) return `an integer >= ${min}`;
  if (max !== undefined) return `an integer <= ${max}`;
  return 'an integer';
}

function checkChoice(spec: OptionSpec, label: string, raw: string): string {
  if (spec.choices !== undefined && !spec.choices.includes(raw)) {
    throw new InvalidArgumentError(label, `expected one of ${spec.choices.join(', ')}, got '${raw}'`);
  }
  return raw;
}
