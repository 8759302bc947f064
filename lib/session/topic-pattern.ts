import { topicFilterProblem, topicNameProblem } from '../codec/topic.js';
import { InvalidArgumentError } from '../errors.js';

/** The parameters one level of a pattern names: `:id` a string, `#rest` the remaining levels. */
type LevelParams<L extends string> = L extends `:${infer Name}`
  ? { readonly [K in Name]: string }
  : L extends `#${infer Rest}`
    ? Rest extends ''
      ? unknown
      : { readonly [K in Rest]: readonly string[] }
    : unknown;

type SplitParams<S extends string> = S extends `${infer Head}/${infer Tail}` ? LevelParams<Head> & SplitParams<Tail> : LevelParams<S>;

type Flatten<T> = { readonly [K in keyof T]: T[K] };

/**
 * The parameters of a topic pattern, inferred from its string literal:
 * `PatternParams<'devices/:id/sensors/:kind'>` is `{ readonly id: string; readonly kind: string }`,
 * and a trailing `#path` adds `readonly path: readonly string[]` (the levels it matched).
 *
 * @example
 * ```ts
 * const p: PatternParams<'logs/:app/#path'> = { app: 'api', path: ['errors', '500'] };
 * ```
 */
export type PatternParams<S extends string> = string extends S
  ? { readonly [name: string]: string | readonly string[] }
  : Flatten<SplitParams<S>>;

/**
 * A topic pattern: an MQTT topic filter whose wildcards have names. Made by {@link topicPattern}.
 *
 * @example
 * ```ts
 * const sensors = topicPattern('devices/:id/sensors/:kind');
 * sensors.filter;                                   // 'devices/+/sensors/+'
 * sensors.match('devices/d7/sensors/temperature');  // { id: 'd7', kind: 'temperature' }
 * sensors.topic({ id: 'd7', kind: 'humidity' });    // 'devices/d7/sensors/humidity'
 * ```
 */
export interface TopicPattern<P> {
  /** The pattern as written. */
  readonly pattern: string;
  /** The MQTT topic filter to subscribe to: each `:name` becomes `+`, a trailing `#name` becomes `#`. */
  readonly filter: string;
  /** The parameters of `topic`, or undefined when the topic does not match the filter. */
  match(topic: string): P | undefined;
  /** The topic name with these parameters filled in; throws InvalidArgumentError for invalid values. */
  topic(params: P): string;
}

const NAME = /^[A-Za-z_$][\w$]*$/;

interface Level {
  /** The literal text, `+` or `#`. */
  readonly text: string;
  /** The parameter it binds, if any. */
  readonly name?: string;
}

class CompiledPattern<P> implements TopicPattern<P> {
  readonly filter: string;

  constructor(
    readonly pattern: string,
    private readonly levels: readonly Level[],
  ) {
    this.filter = levels.map((l) => l.text).join('/');
  }

  match(topic: string): P | undefined {
    if (typeof topic !== 'string') return undefined;
    const parts = topic.split('/');
    const first = this.levels[0];
    // A filter starting with a wildcard does not match topics starting with $ [MQTT-4.7.2-1].
    if (parts[0].startsWith('$') && first !== undefined && (first.text === '+' || first.text === '#')) return undefined;
    const params: Record<string, string | readonly string[]> = {};
    for (let i = 0; i < this.levels.length; i++) {
      const level = this.levels[i];
      if (level.text === '#') {
        // '#' also matches the parent level: 'a/#' matches 'a' [MQTT-4.7.1-2].
        if (level.name !== undefined) params[level.name] = parts.slice(i);
        return params as P;
      }
      if (i >= parts.length) return undefined;
      if (level.text === '+') {
        if (level.name !== undefined) params[level.name] = parts[i];
      } else if (level.text !== parts[i]) return undefined;
    }
    return parts.length === this.levels.length ? (params as P) : undefined;
  }

  topic(params: P): string {
    if (typeof params !== 'object' || params === null) throw new InvalidArgumentError('params', 'must be an object of the pattern parameters');
    const values = params as Record<string, unknown>;
    const out: string[] = [];
    for (const level of this.levels) {
      if (level.name === undefined) {
        if (level.text === '+' || level.text === '#') {
          throw new InvalidArgumentError('params', `pattern ${this.pattern} has an unnamed wildcard, so it cannot build a topic`);
        }
        out.push(level.text);
        continue;
      }
      const value = values[level.name];
      const parts = level.text === '#' ? value : [value];
      if (!Array.isArray(parts) || parts.some((p) => typeof p !== 'string' || p.includes('/'))) {
        const expected = level.text === '#' ? 'an array of levels (strings without /)' : 'a string without /';
        throw new InvalidArgumentError(`params.${level.name}`, `must be ${expected}`);
      }
      out.push(...(parts as string[]));
    }
    const topic = out.join('/');
    const problem = topicNameProblem(topic);
    if (problem !== undefined) throw new InvalidArgumentError('params', `give the topic name '${topic}', which ${problem}`);
    return topic;
  }
}

/**
 * Compiles a topic pattern: an MQTT topic filter with named wildcards. `:name` stands for one
 * level (MQTT `+`), a trailing `#name` for the remaining levels (MQTT `#`); plain `+` and `#` stay
 * unnamed. Parameter names are inferred from the string literal, so `match()` is typed.
 *
 * Pure and synchronous. Throws {@link InvalidArgumentError} for an invalid pattern: a parameter
 * that does not take a whole level, a name that is not an identifier or is used twice, or a filter
 * that MQTT rejects (`#` not last [MQTT-4.7.1-2], an empty pattern [MQTT-4.7.3-1]).
 *
 * @example
 * ```ts
 * const readings = topicPattern('devices/:id/sensors/:kind');
 * client.subscribe(readings.filter, { qos: 1 }).subscribe((m) => {
 *   const { id, kind } = readings.match(m.topic)!;
 *   console.log(id, kind, m.text());
 * });
 * ```
 */
export function topicPattern<S extends string>(pattern: S): TopicPattern<PatternParams<S>> {
  if (typeof pattern !== 'string') throw new InvalidArgumentError('pattern', 'must be a string');
  const names = new Set<string>();
  const texts = pattern.split('/');
  const levels = texts.map((text, i): Level => {
    const sigil = text[0];
    if (sigil !== ':' && !(sigil === '#' && text.length > 1)) return { text };
    const name = text.slice(1);
    if (!NAME.test(name)) throw new InvalidArgumentError('pattern', `parameter '${text}' in '${pattern}' must be ${sigil} followed by an identifier`);
    if (names.has(name)) throw new InvalidArgumentError('pattern', `parameter '${name}' appears twice in '${pattern}'`);
    if (sigil === '#' && i !== texts.length - 1) throw new InvalidArgumentError('pattern', `'${text}' must be the last level of '${pattern}' [MQTT-4.7.1-2]`);
    names.add(name);
    return { text: sigil === ':' ? '+' : '#', name };
  });
  const compiled = new CompiledPattern<PatternParams<S>>(pattern, levels);
  const problem = topicFilterProblem(compiled.filter);
  if (problem !== undefined) throw new InvalidArgumentError('pattern', `'${pattern}' gives the filter '${compiled.filter}', which ${problem}`);
  return compiled;
}
