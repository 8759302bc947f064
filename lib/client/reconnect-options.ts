import { InvalidArgumentError } from '../errors.js';
import type { ReconnectOptions } from '../session/reconnect-with-backoff.js';
import type { ClientOptions } from './client-options.js';

/**
 * The reconnect policy of `ClientOptions.reconnect`: on by default (`undefined` or `true`), off
 * with `false` (undefined). Throws InvalidArgumentError naming `reconnect` for other values.
 *
 * @example
 * ```ts
 * reconnectOptions(undefined); // {}
 * reconnectOptions(false); // undefined
 * ```
 */
export function reconnectOptions(value: ClientOptions['reconnect']): ReconnectOptions | undefined {
  if (value === false) return undefined;
  if (value === undefined || value === true) return {};
  if (value === null || typeof value !== 'object') {
    throw new InvalidArgumentError(
      'reconnect',
      'expected true, false or { minDelay?, maxDelay?, maxAttempts?, trigger$?, random?, retryInitialConnect? }',
    );
  }
  if (value.retryInitialConnect !== undefined && typeof value.retryInitialConnect !== 'boolean') {
    throw new InvalidArgumentError('reconnect.retryInitialConnect', `expected a boolean, got ${typeof value.retryInitialConnect}`);
  }
  return value;
}
