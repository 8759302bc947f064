import { utf8Problem } from './utf8.js';

/**
 * What is wrong with `topic` as a Topic Name (the topic of a PUBLISH or a will), or `undefined` when
 * it is valid. The message names the rule and its spec statement.
 *
 * @example
 * ```ts
 * topicNameProblem('sensors/kitchen'); // undefined
 * topicNameProblem('sensors/+');       // 'must not contain the wildcard characters + or # [MQTT-3.3.2-2]'
 * ```
 */
export function topicNameProblem(topic: string): string | undefined {
  if (typeof topic !== 'string') return 'must be a string';
  if (topic.length === 0) return 'must be at least one character long [MQTT-4.7.3-1]';
  if (topic.indexOf('+') !== -1 || topic.indexOf('#') !== -1) {
    return 'must not contain the wildcard characters + or # [MQTT-3.3.2-2]';
  }
  return stringProblem(topic);
}

/**
 * What is wrong with `filter` as a Topic Filter (SUBSCRIBE/UNSUBSCRIBE), or `undefined` when it is
 * valid. `+` must occupy a whole level, `#` must be the last level, and a shared subscription
 * `$share/{ShareName}/{filter}` needs a non-empty share name without wildcards and a valid filter.
 *
 * @example
 * ```ts
 * topicFilterProblem('sensors/+/temperature'); // undefined
 * topicFilterProblem('$share/workers/jobs/#'); // undefined
 * topicFilterProblem('sensors/#/x');           // '# must be the last level ... [MQTT-4.7.1-2]'
 * ```
 */
export function topicFilterProblem(filter: string): string | undefined {
  if (typeof filter !== 'string') return 'must be a string';
  if (filter.length === 0) return 'must be at least one character long [MQTT-4.7.3-1]';
  const s = stringProblem(filter);
  if (s !== undefined) return s;
  let body = filter;
  const shared = parseSharedFilter(filter);
  if (shared !== undefined) {
    if (shared.shareName.length === 0) return 'a shared subscription needs a non-empty share name [MQTT-4.8.2-1]';
    if (shared.shareName.indexOf('+') !== -1 || shared.shareName.indexOf('#') !== -1) {
      return 'a share name must not contain + or # [MQTT-4.8.2-2]';
    }
    if (shared.filter.length === 0) return 'a shared subscription needs a topic filter after the share name';
    body = shared.filter;
  }
  return wildcardProblem(body);
}

/**
 * True when `filter` is a shared subscription (`$share/{ShareName}/{filter}`).
 *
 * @example
 * ```ts
 * isSharedFilter('$share/workers/jobs/#'); // true
 * isSharedFilter('jobs/#');                // false
 * ```
 */
export function isSharedFilter(filter: string): boolean {
  return filter.startsWith('$share/');
}

/** The two parts of a shared subscription filter `$share/{ShareName}/{filter}`. */
export interface SharedFilterParts {
  /** The share name (may be empty or hold wildcards when the filter is malformed). */
  readonly shareName: string;
  /** The filter messages are matched against (empty when the filter is malformed). */
  readonly filter: string;
}

/**
 * Splits a shared subscription filter `$share/{ShareName}/{filter}` into its share name and the
 * filter messages are matched against; `undefined` when `filter` is not a shared subscription.
 * This only splits: check the parts with {@link topicFilterProblem} first. The one `$share/`
 * parser of the library, used by the client's subscription registry and by the broker.
 *
 * @example
 * ```ts
 * parseSharedFilter('$share/workers/jobs/#'); // { shareName: 'workers', filter: 'jobs/#' }
 * parseSharedFilter('jobs/#');                // undefined
 * parseSharedFilter('$share/workers');        // { shareName: 'workers', filter: '' } (malformed)
 * ```
 */
export function parseSharedFilter(filter: string): SharedFilterParts | undefined {
  if (!isSharedFilter(filter)) return undefined;
  const slash = filter.indexOf('/', 7);
  if (slash === -1) return { shareName: filter.slice(7), filter: '' };
  return { shareName: filter.slice(7, slash), filter: filter.slice(slash + 1) };
}

/**
 * The number of levels of a topic name or filter: one more than its number of `/` separators.
 * Counts without splitting, so a hostile 10 000-level topic costs no array.
 *
 * @example
 * ```ts
 * topicLevelCount('a/b/c'); // 3
 * topicLevelCount('/');     // 2
 * ```
 */
export function topicLevelCount(topic: string): number {
  let levels = 1;
  for (let i = topic.indexOf('/'); i !== -1; i = topic.indexOf('/', i + 1)) levels++;
  return levels;
}

function wildcardProblem(filter: string): string | undefined {
  const n = filter.length;
  for (let i = 0; i < n; i++) {
    const c = filter.charCodeAt(i);
    if (c === 0x23 /* # */) {
      if (i !== n - 1 || (i > 0 && filter.charCodeAt(i - 1) !== 0x2f)) {
        return '# must be the last level and occupy it alone [MQTT-4.7.1-2]';
      }
    } else if (c === 0x2b /* + */) {
      if ((i > 0 && filter.charCodeAt(i - 1) !== 0x2f) || (i < n - 1 && filter.charCodeAt(i + 1) !== 0x2f)) {
        return '+ must occupy an entire level [MQTT-4.7.1-3]';
      }
    }
  }
  return undefined;
}

function stringProblem(s: string): string | undefined {
  const p = utf8Problem(s);
  if (p === undefined) return undefined;
  return p.includes('U+0000') ? `${p} [MQTT-1.5.4-2]` : `${p} [MQTT-1.5.4-1]`;
}
