import { InvalidArgumentError } from '../errors.js';

/**
 * Checks a broker host and port given by a user; throws `InvalidArgumentError` naming the problem.
 * Shared by the transports and {@link parseBrokerUrl}.
 *
 * @example
 * ```ts
 * validateHostPort('localhost', 1883); // ok
 * validateHostPort('', 1883);          // throws InvalidArgumentError: host: ...
 * ```
 */
export function validateHostPort(host: unknown, port: unknown): void {
  if (typeof host !== 'string' || host.trim() === '') {
    throw new InvalidArgumentError('host', `expected a non-empty host name or IP address, got ${JSON.stringify(host) ?? typeof host}`);
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('port', `expected an integer from 1 to 65535, got ${String(port)}`);
  }
}

/** The default time to wait for a connection to open, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT = 30_000;

/**
 * Checks an optional connect timeout in milliseconds and returns it (or the default, 30 s);
 * throws `InvalidArgumentError` unless it is a positive finite number.
 *
 * @example
 * ```ts
 * validateTimeout(undefined); // 30000
 * validateTimeout(-1);        // throws InvalidArgumentError: connectTimeout: ...
 * ```
 */
export function validateTimeout(timeout: unknown, argument = 'connectTimeout'): number {
  if (timeout === undefined) return DEFAULT_CONNECT_TIMEOUT;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new InvalidArgumentError(argument, `expected a positive number of milliseconds, got ${String(timeout)}`);
  }
  return timeout;
}
