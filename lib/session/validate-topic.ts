import { parseSharedFilter, topicFilterProblem, topicNameProblem } from '../codec/topic.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Checks a topic filter a user passed to subscribe (MQTT section 4.7) with the codec's rules and
 * throws {@link InvalidArgumentError} naming `argument` (and the spec statement) when it is invalid.
 *
 * @example
 * ```ts
 * assertTopicFilter('sensors/+/temp', 'filter'); // ok
 * assertTopicFilter('sensors/#/temp', 'filter'); // throws InvalidArgumentError [MQTT-4.7.1-2]
 * ```
 */
export function assertTopicFilter(filter: unknown, argument: string): asserts filter is string {
  const problem = typeof filter === 'string' ? topicFilterProblem(filter) : `expected a string, got ${describe(filter)}`;
  if (problem !== undefined) throw invalid(argument, problem);
}

/**
 * Checks a topic name a user passed to publish: not empty [MQTT-4.7.3-1], no wildcards
 * [MQTT-3.3.2-2], valid UTF-8 without U+0000. Throws {@link InvalidArgumentError} naming `argument`.
 *
 * @example
 * ```ts
 * assertTopicName('sensors/kitchen/temp', 'topic'); // ok
 * assertTopicName('sensors/+', 'topic'); // throws InvalidArgumentError [MQTT-3.3.2-2]
 * ```
 */
export function assertTopicName(topic: unknown, argument: string): asserts topic is string {
  const problem = typeof topic === 'string' ? topicNameProblem(topic) : `expected a string, got ${describe(topic)}`;
  if (problem !== undefined) throw invalid(argument, problem);
}

/** The part of a filter that messages are matched against ('$share/g/a/+' matches like 'a/+'). */
export function matchingFilter(filter: string): string {
  return parseSharedFilter(filter)?.filter ?? filter;
}

function invalid(argument: string, problem: string): InvalidArgumentError {
  // The codec's messages end with the statement id, e.g. '... [MQTT-3.3.2-2]'.
  const ref = /\[(MQTT-[0-9.]+-[0-9]+)\]$/.exec(problem);
  const message = ref === null ? problem : problem.slice(0, ref.index).trimEnd();
  return new InvalidArgumentError(argument, message, ref === null ? {} : { specRef: ref[1] });
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
