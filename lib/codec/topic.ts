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
  if (filter.startsWith('$share/')) {
    const slash = filter.indexOf('/', 7);
    const shareName = filter.slice(7, slash === -1 ? filter.length : slash);
    if (shareName.length === 0) return 'a shared subscription needs a non-empty share name [MQTT-4.8.2-1]';
    if (shareName.indexOf('+') !== -1 || shareName.indexOf('#') !== -1) {
      return 'a share name must not contain + or # [MQTT-4.8.2-2]';
    }
    if (slash === -1 || slash === filter.length - 1) return 'a shared subscription needs a topic filter after the share name';
    body = filter.slice(slash + 1);
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
