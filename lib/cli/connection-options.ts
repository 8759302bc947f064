import { InvalidArgumentError } from '../errors.js';
import type { OptionSpec, ParsedArgs } from './parse-args.js';

/** The options `rxmqtt pub` and `rxmqtt sub` share, named as in mosquitto_pub/mosquitto_sub. */
export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { long: 'url', kind: 'string', valueName: 'URL', description: 'broker URL: mqtt://host:port, mqtts://, ws://host:port/path, wss:// (instead of -h/-p)' },
  { long: 'host', short: 'h', kind: 'string', valueName: 'HOST', description: 'broker host (default localhost)' },
  { long: 'port', short: 'p', kind: 'integer', min: 1, max: 65535, valueName: 'PORT', description: 'broker port (default 1883)' },
  { long: 'username', short: 'u', kind: 'string', valueName: 'USER', description: 'user name' },
  { long: 'password', short: 'P', kind: 'string', valueName: 'PASSWORD', description: 'password' },
  { long: 'id', short: 'i', kind: 'string', valueName: 'ID', description: 'client id (default: generated)' },
  { long: 'protocol-version', short: 'V', kind: 'string', valueName: '5|311', description: 'MQTT version: 5 (mqttv5) or 311 (mqttv311, default)' },
  { long: 'keepalive', short: 'k', kind: 'integer', min: 0, max: 65535, valueName: 'SECONDS', description: 'keep alive interval, 0 = off (default 60)' },
  { long: 'disable-clean-session', short: 'c', kind: 'flag', description: 'keep the session on the broker (needs -i)' },
  { long: 'cafile', kind: 'string', valueName: 'FILE', description: 'trust the CA certificate(s) in this PEM file; turns on TLS' },
  { long: 'cert', kind: 'string', valueName: 'FILE', description: 'client certificate (PEM) for brokers that ask for one; needs --key' },
  { long: 'key', kind: 'string', valueName: 'FILE', description: 'private key (PEM) of --cert' },
  { long: 'insecure', kind: 'flag', description: "do not verify the broker's certificate (for testing only)" },
  { long: 'connect-timeout', kind: 'integer', min: 1, max: 3600, valueName: 'SECONDS', description: 'give up connecting after this long (default 10)' },
  { long: 'debug', short: 'd', kind: 'flag', description: 'print what happens on stderr' },
];

/** Connection settings for the client, derived from the command line. */
export interface CliConnection {
  /** The broker URL without user information, e.g. `mqtt://localhost:1883`. */
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly keepalive: number;
  readonly clean: boolean;
  /** Milliseconds. */
  readonly connectTimeout: number;
  /** TLS settings, present when a TLS option was given. */
  readonly tls?: CliTlsFiles;
}

/** The TLS options as given: file paths, read by `resolveConnectOptions`. */
export interface CliTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Skip the certificate check. */
  readonly insecure: boolean;
}

const SCHEMES = new Set(['mqtt:', 'tcp:', 'mqtts:', 'ssl:', 'tls:', 'ws:', 'wss:']);
const TLS_SCHEMES = new Set(['mqtts:', 'ssl:', 'tls:', 'wss:']);

/**
 * Turns the shared connection options into client settings. User information in the URL
 * (`mqtt://user:secret@host`) becomes the user name and password unless `-u`/`-P` are given. A TLS
 * option (`--cafile`, `--cert`, `--key`, `--insecure`) with `-h`/`-p` makes the URL `mqtts://`
 * (default port 8883), as mosquitto_pub does.
 *
 * Throws `InvalidArgumentError` naming the option for: `--url` together with `-h`/`-p`, a URL that
 * does not parse or has an unknown scheme, an unknown protocol version, `-c` without `-i`, (in
 * MQTT 3.1.1) a password without a user name, `--cert` without `--key` or the reverse, and TLS
 * options with a URL that is not `mqtts://` or `wss://`.
 *
 * @example
 * ```ts
 * connectionFromArgs(parseArgs(['-h', 'broker', '-V', '5'], CONNECTION_OPTIONS));
 * // { url: 'mqtt://broker:1883', protocolVersion: 5, keepalive: 60, clean: true, connectTimeout: 10000 }
 * ```
 */
export function connectionFromArgs(args: ParsedArgs): CliConnection {
  const tls = tlsFromArgs(args);
  let url: string;
  let username = args.string('username');
  let password = args.string('password');
  const rawUrl = args.string('url');
  if (rawUrl !== undefined) {
    if (args.has('host') || args.has('port')) throw new InvalidArgumentError('--url', 'give either --url or -h/-p, not both');
    let parsed: URL;
    try {
      parsed = new URL(rawUrl);
    } catch {
      throw new InvalidArgumentError('--url', `'${rawUrl}' is not a URL (expected e.g. mqtt://localhost:1883)`);
    }
    if (!SCHEMES.has(parsed.protocol)) {
      throw new InvalidArgumentError('--url', `unsupported scheme '${parsed.protocol}' (use mqtt:, mqtts:, ws: or wss:)`);
    }
    if (parsed.hostname === '') throw new InvalidArgumentError('--url', `'${rawUrl}' has no host`);
    if (tls !== undefined && !TLS_SCHEMES.has(parsed.protocol)) {
      throw new InvalidArgumentError('--url', `TLS options need an mqtts:// or wss:// URL, not ${parsed.protocol}//`);
    }
    if (parsed.username !== '') username ??= decodeURIComponent(parsed.username);
    if (parsed.password !== '') password ??= decodeURIComponent(parsed.password);
    parsed.username = '';
    parsed.password = '';
    url = parsed.href;
  } else {
    const host = args.string('host') ?? 'localhost';
    if (host === '' || /[\s/]/.test(host)) throw new InvalidArgumentError('-h/--host', `'${host}' is not a host name`);
    const port = args.integer('port') ?? (tls === undefined ? 1883 : 8883);
    url = `${tls === undefined ? 'mqtt' : 'mqtts'}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  }

  const protocolVersion = parseProtocolVersion(args.string('protocol-version'));
  const clientId = args.string('id');
  const clean = !args.flag('disable-clean-session');
  // A client that wants its session kept must say who it is. [MQTT-3.1.3-7]
  if (!clean && (clientId === undefined || clientId === '')) {
    throw new InvalidArgumentError('-c/--disable-clean-session', 'needs a client id (-i ID) so the broker can find the session again');
  }
  // MQTT 3.1.1 allows a password only together with a user name. [MQTT-3.1.2-22]
  if (protocolVersion === 4 && password !== undefined && username === undefined) {
    throw new InvalidArgumentError('-P/--password', 'needs a user name (-u USER) in MQTT 3.1.1', { specRef: 'MQTT-3.1.2-22' });
  }
  return {
    url,
    protocolVersion,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    keepalive: args.integer('keepalive') ?? 60,
    clean,
    connectTimeout: (args.integer('connect-timeout') ?? 10) * 1000,
    ...(tls !== undefined ? { tls } : {}),
  };
}

function tlsFromArgs(args: ParsedArgs): CliTlsFiles | undefined {
  const caFile = args.string('cafile');
  const certFile = args.string('cert');
  const keyFile = args.string('key');
  const insecure = args.flag('insecure');
  if (certFile !== undefined && keyFile === undefined) throw new InvalidArgumentError('--cert', 'needs --key FILE (the private key of the certificate)');
  if (keyFile !== undefined && certFile === undefined) throw new InvalidArgumentError('--key', 'needs --cert FILE (the certificate of the key)');
  if (caFile === undefined && certFile === undefined && !insecure) return undefined;
  return {
    ...(caFile !== undefined ? { caFile } : {}),
    ...(certFile !== undefined ? { certFile, keyFile } : {}),
    insecure,
  };
}

function parseProtocolVersion(raw: string | undefined): 4 | 5 {
  switch (raw) {
    case undefined:
    case '311':
    case 'mqttv311':
    case '4':
      return 4;
    case '5':
    case 'mqttv5':
      return 5;
    case '31':
    case 'mqttv31':
      throw new InvalidArgumentError('-V/--protocol-version', 'MQTT 3.1 is not supported; use 311 or 5');
    default:
      throw new InvalidArgumentError('-V/--protocol-version', `expected 5 or 311, got '${raw}'`);
  }
}
