import type { CliMessage } from './cli-deps.js';

/** Options of {@link formatMessage}. */
export interface FormatMessageOptions {
  /** Print `topic payload` instead of the payload alone (`-v`). An empty payload prints as `(null)`. */
  readonly verbose: boolean;
  /** End with a newline (default true; `-N` turns it off). */
  readonly newline: boolean;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const NULL_TEXT = new TextEncoder().encode('(null)');

/**
 * The bytes `rxmqtt sub` prints for one message: the payload exactly as received (binary safe),
 * preceded by the topic and a space with `verbose`, followed by a newline unless turned off. The
 * output matches mosquitto_sub's default and `-v` formats.
 *
 * @example
 * ```ts
 * formatMessage({ topic: 'a/b', payload: new TextEncoder().encode('hi'), qos: 0, retain: false }, { verbose: true, newline: true });
 * // bytes of "a/b hi\n"
 * ```
 */
export function formatMessage(message: CliMessage, options: FormatMessageOptions): Uint8Array {
  const topic = options.verbose ? new TextEncoder().encode(message.topic) : undefined;
  const payload = topic !== undefined && message.payload.length === 0 ? NULL_TEXT : message.payload;
  const size = (topic === undefined ? 0 : topic.length + 1) + payload.length + (options.newline ? 1 : 0);
  const out = new Uint8Array(size);
  let offset = 0;
  if (topic !== undefined) {
    out.set(topic, 0);
    out[topic.length] = SPACE;
    offset = topic.length + 1;
  }
  out.set(payload, offset);
  if (options.newline) out[size - 1] = NEWLINE;
  return out;
}
