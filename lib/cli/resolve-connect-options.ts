import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../errors.js';
import type { CliConnectOptions } from './cli-deps.js';
import type { CliConnection } from './connection-options.js';

/**
 * The client options for a {@link CliConnection}: the same settings, with the TLS files
 * (`--cafile`, `--cert`, `--key`) read into PEM text and `--insecure` as `rejectUnauthorized: false`.
 *
 * Rejects with `InvalidArgumentError` naming the option when a file cannot be read.
 *
 * @example
 * ```ts
 * const options = await resolveConnectOptions(connectionFromArgs(args));
 * const client = await connectAsync(options);
 * ```
 */
export async function resolveConnectOptions(connection: CliConnection): Promise<CliConnectOptions> {
  const { tls, ...rest } = connection;
  if (tls === undefined) return rest;
  const [ca, cert, key] = await Promise.all([
    pem('--cafile', tls.caFile),
    pem('--cert', tls.certFile),
    pem('--key', tls.keyFile),
  ]);
  return {
    ...rest,
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(tls.insecure ? { rejectUnauthorized: false } : {}),
  };
}

async function pem(option: string, path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(option, `cannot read '${path}': ${(error as Error).message}`, { cause: error });
  }
}
