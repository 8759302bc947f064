import { InvalidArgumentError } from '../errors.js';

/**
 * Checks a topic name given on the command line. Throws `InvalidArgumentError` naming `label`.
 *
 * @example
 * ```ts
 * checkTopicName('a/+', '-t/--topic'); // throws: wildcards are not allowed in a topic name
 * ```
 */
export function checkTopicName(topic: string, label: string): void {
  checkCommon(topic, label);
  // [MQTT-3.3.2-2] The Topic Name in the PUBLISH packet MUST NOT contain wildcard characters.
  if (topic.includes('+') || topic.includes('#')) {
    throw new InvalidArgumentError(label, `'${topic}' contains a wildcard (+ or #); publish needs a plain topic name`, { specRef: 'MQTT-3.3.2-2' });
  }
}

/**
 * Checks a topic filter given on the command line. Throws `InvalidArgumentError` naming `label`.
 *
 * @example
 * ```ts
 * checkTopicFilter('sensors/+/temperature', '-t/--topic'); // fine
 * checkTopicFilter('sensors/#/x', '-t/--topic');           // throws: # must be last
 * ```
 */
export function checkTopicFilter(filter: string, label: string): void {
  checkCommon(filter, label);
  const levels = filter.split('/');
  levels.forEach((level, k) => {
    // [MQTT-4.7.1-2] '#' must occupy a whole level and be the last character of the filter.
    if (level.includes('#') && (level !== '#' || k !== levels.length - 1)) {
      throw new InvalidArgumentError(label, `'${filter}': # must be a whole level at the end of the filter`, { specRef: 'MQTT-4.7.1-2' });
    }
    // [MQTT-4.7.1-3] '+' must occupy a whole level.
    if (level.includes('+') && level !== '+') {
      throw new InvalidArgumentError(label, `'${filter}': + must be a whole level`, { specRef: 'MQTT-4.7.1-3' });
    }
  });
}

function checkCommon(topic: string, label: string): void {
  // [MQTT-4.7.3-1] Topic names and filters are at least one character long.
  if (topic === '') throw new InvalidArgumentError(label, 'must not be empty', { specRef: 'MQTT-4.7.3-1' });
  // [MQTT-4.7.3-2] They must not contain the null character.
  if (topic.includes('\u0000')) throw new InvalidArgumentError(label, 'must not contain the null character', { specRef: 'MQTT-4.7.3-2' });
  // [MQTT-4.7.3-3] They are UTF-8 strings of at most 65535 bytes.
  const bytes = new TextEncoder().encode(topic).length;
  if (bytes > 65535) throw new InvalidArgumentError(label, `is ${bytes} bytes long; at most 65535 are allowed`, { specRef: 'MQTT-4.7.3-3' });
}
