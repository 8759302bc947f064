import { InvalidArgumentError } from '../errors.js';
import { parseBrokerUrl, type BrokerUrl } from '../transport/parse-broker-url.js';
import type { ClientOptions } from './client-options.js';

/**
 * Merges the `(urlOrOptions, options)` arguments of connect() into one options object; credentials
 * in the URL (`mqtt://user:pass@host`) fill `username`/`password` when those options are absent.
 * Throws InvalidArgumentError for arguments of the wrong type or an invalid URL.
 */
export function mergeConnectArguments<O extends ClientOptions>(
  urlOrOptions: unknown,
  options: unknown,
): O & { brokerUrl?: BrokerUrl } {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError('options', `expected an object, got ${typeName(options)}`);
  }
  let merged: O;
  if (typeof urlOrOptions === 'string') merged = { ...(options as O | undefined), url: urlOrOptions } as O;
  else if (urlOrOptions !== null && typeof urlOrOptions === 'object') merged = { ...(urlOrOptions as O), ...(options as object) };
  else {
    throw new InvalidArgumentError('urlOrOptions', `expected a URL string or an options object, got ${typeName(urlOrOptions)}`);
  }
  if (merged.transport !== undefined || merged.url === undefined) return merged;
  const brokerUrl = parseBrokerUrl(merged.url);
  return {
    ...merged,
    username: merged.username ?? brokerUrl.username,
    password: merged.password ?? brokerUrl.password,
    brokerUrl,
  };
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
