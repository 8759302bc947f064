import { filter, map, type Observable } from 'rxjs';
import { InvalidArgumentError, PayloadError } from '../errors.js';
import type { MqttMessage } from './mqtt-message.js';

/** A message whose payload was parsed as JSON: the message itself (its prototype), plus `value`. */
export type JsonMessage<T, M extends MqttMessage<unknown> = MqttMessage> = M & {
  /** The parsed payload (checked by the guard, when one was given). */
  readonly value: T;
};

/** Options of {@link json}. */
export interface JsonOptions {
  /**
   * What happens to a payload that is not JSON or that the guard refuses: `'error'` (default)
   * errors the stream with a {@link PayloadError}, which also ends the subscription; `'skip'` drops
   * the message (after calling `onInvalid`, if given) and goes on. A skipped message of a manual
   * subscription is acknowledged: dropping it is the decision about it, and an unacknowledged one
   * would hold back every later acknowledgement (they leave in arrival order).
   */
  readonly invalid?: 'error' | 'skip';
  /** Called with the error for each skipped message (with `invalid: 'skip'`). */
  readonly onInvalid?: (error: PayloadError) => void;
}

const SKIP = Symbol('skip');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses each message's payload as UTF-8 JSON and emits the message with the parsed `value`,
 * checked by `guard` when given (a type guard narrows `T`). Cold, like its source; it sends
 * nothing. An invalid payload errors the stream with {@link PayloadError} (`PAYLOAD_INVALID_JSON`
 * or `PAYLOAD_REJECTED`), or is skipped with `{ invalid: 'skip' }`. Throws InvalidArgumentError at
 * once for invalid options.
 *
 * @example
 * ```ts
 * interface Reading { celsius: number }
 * const isReading = (v: unknown): v is Reading => typeof (v as Reading)?.celsius === 'number';
 * client.subscribe('sensors/+/temperature', { qos: 1 })
 *   .pipe(json(isReading, { invalid: 'skip' }))
 *   .subscribe((m) => console.log(m.topic, m.value.celsius));
 * ```
 */
export function json<T = unknown>(
  guard?: ((value: unknown) => value is T) | ((value: unknown) => boolean),
  options: JsonOptions = {},
): <M extends MqttMessage<unknown>>(source: Observable<M>) => Observable<JsonMessage<T, M>> {
  if (guard !== undefined && typeof guard !== 'function') throw new InvalidArgumentError('guard', 'must be a function (value) => boolean');
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object');
  const invalid = options.invalid ?? 'error';
  if (invalid !== 'error' && invalid !== 'skip') throw new InvalidArgumentError('options.invalid', `must be 'error' or 'skip', got ${String(invalid)}`);
  const { onInvalid } = options;
  if (onInvalid !== undefined && typeof onInvalid !== 'function') throw new InvalidArgumentError('options.onInvalid', 'must be a function');

  const fail = (error: PayloadError, message: MqttMessage<unknown>): typeof SKIP => {
    if (invalid === 'error') throw error; // map() turns the throw into the stream's error
    onInvalid?.(error);
    (message as { ack?: () => void }).ack?.();
    return SKIP;
  };
  const parse = <M extends MqttMessage<unknown>>(message: M): JsonMessage<T, M> | typeof SKIP => {
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(message.payload));
    } catch (cause) {
      return fail(new PayloadError('PAYLOAD_INVALID_JSON', `the payload is not UTF-8 JSON: ${String((cause as Error)?.message ?? cause)}`, message.topic, { cause }), message);
    }
    if (guard !== undefined && !guard(value)) return fail(new PayloadError('PAYLOAD_REJECTED', 'the payload is JSON the guard refused', message.topic), message);
    return Object.create(message, { value: { value, enumerable: true } }) as JsonMessage<T, M>;
  };
  return <M extends MqttMessage<unknown>>(source: Observable<M>) =>
    source.pipe(
      map((m: M) => parse(m)),
      filter((m): m is JsonMessage<T, M> => m !== SKIP),
    );
}

const encoder = new TextEncoder();

/**
 * Encodes `value` as a UTF-8 JSON payload for `publish`. Throws {@link InvalidArgumentError} for a
 * value JSON cannot represent (undefined, a function, a symbol, a BigInt, a cycle).
 *
 * @example
 * ```ts
 * client.publish('sensors/kitchen/temperature', jsonPayload({ celsius: 21.5 }), { qos: 1 }).subscribe();
 * ```
 */
export function jsonPayload(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidArgumentError('value', `cannot be written as JSON: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
  if (text === undefined) throw new InvalidArgumentError('value', `cannot be written as JSON (${typeof value})`);
  return encoder.encode(text);
}
