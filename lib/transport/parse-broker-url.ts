import { InvalidArgumentError } from '../errors.js';

/** What carries the MQTT connection. */
export type BrokerProtocol = 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * The parts of a broker URL every protocol has.
 *
 * @inline
 */
interface BrokerUrlBase {
  /** Host name or IP address; an IPv6 address without brackets. */
  readonly host: string;
  /** The port given, or the protocol's default (1883, 8883, 80, 443). */
  readonly port: number;
  /** Percent-decoded user name from the URL, for CONNECT. */
  readonly username?: string;
  /** Percent-decoded password from the URL, for CONNECT. */
  readonly password?: string;
}

/** A parsed broker URL: see {@link parseBrokerUrl}. */
export type BrokerUrl =
  | (BrokerUrlBase & {
      /** `tcp` for `mqtt://` and `tcp://`, `tls` for `mqtts://`, `ssl://` and `tls://`. */
      readonly protocol: 'tcp' | 'tls';
    })
  | (BrokerUrlBase & {
      /** `ws` for `ws://`, `wss` for `wss://`. */
      readonly protocol: 'ws' | 'wss';
      /** The path of the WebSocket endpoint, `/` when the URL has none. */
      readonly path: string;
      /** The URL to open the WebSocket with: scheme, host, port and path, without credentials or query. */
      readonly url: string;
    });

const SCHEMES: Readonly<Record<string, { protocol: BrokerProtocol; port: number }>> = {
  'mqtt:': { protocol: 'tcp', port: 1883 },
  'tcp:': { protocol: 'tcp', port: 1883 },
  'mqtts:': { protocol: 'tls', port: 8883 },
  'ssl:': { protocol: 'tls', port: 8883 },
  'tls:': { protocol: 'tls', port: 8883 },
  'ws:': { protocol: 'ws', port: 80 },
  'wss:': { protocol: 'wss', port: 443 },
};

const EXPECTED = 'mqtt://, mqtts://, ws:// or wss:// (also tcp://, ssl://, tls://)';

function decode(part: string, argument: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InvalidArgumentError(argument, `the URL's ${argument} is not valid percent-encoding`);
  }
}

/**
 * Parses a broker URL the way MQTT.js users write them: `mqtt://` and `tcp://` mean TCP (default
 * port 1883), `mqtts://`, `ssl://` and `tls://` mean TLS (8883), `ws://` (80) and `wss://` (443)
 * mean WebSocket, keeping the path (`/` when none is given, so write `/mqtt` if the broker wants
 * it). `user:password@` gives the CONNECT credentials. A query string is ignored. Pure function.
 *
 * Throws `InvalidArgumentError` (argument `url`) for a value that is not a URL, an unknown scheme,
 * a missing host, or a port outside 1 to 65535.
 *
 * @example
 * ```ts
 * parseBrokerUrl('mqtts://alice:s3cret@broker.example.com');
 * // { protocol: 'tls', host: 'broker.example.com', port: 8883, username: 'alice', password: 's3cret' }
 * parseBrokerUrl('ws://localhost:9001/mqtt').url; // 'ws://localhost:9001/mqtt'
 * ```
 */
export function parseBrokerUrl(url: string | URL): BrokerUrl {
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw new InvalidArgumentError('url', `expected a string such as 'mqtt://localhost:1883', got ${url === null ? 'null' : typeof url}`);
  }
  const text = String(url).trim();
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new InvalidArgumentError('url', `not a valid URL: ${JSON.stringify(text)}; expected e.g. 'mqtt://localhost:1883'`);
  }
  const scheme = SCHEMES[parsed.protocol];
  if (scheme === undefined) {
    const hint = /^[a-z0-9.-]+:\d*$/i.test(text) || !text.includes('//') ? ' (did you forget the scheme, e.g. mqtt://?)' : '';
    throw new InvalidArgumentError('url', `unknown scheme '${parsed.protocol.slice(0, -1)}' in ${JSON.stringify(text)}: expected ${EXPECTED}${hint}`);
  }
  // Host names are case-insensitive; mqtt: URLs are not "special" to the URL parser, so normalise here.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === '') throw new InvalidArgumentError('url', `no host in ${JSON.stringify(text)}`);
  if (!/^[a-z0-9._~:-]+$/.test(host)) {
    throw new InvalidArgumentError('url', `invalid host ${JSON.stringify(host)} in ${JSON.stringify(text)}`);
  }
  const port = parsed.port === '' ? scheme.port : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('url', `port must be from 1 to 65535, got ${parsed.port} in ${JSON.stringify(text)}`);
  }
  const credentials: { username?: string; password?: string } = {};
  if (parsed.username !== '' || parsed.password !== '') credentials.username = decode(parsed.username, 'username');
  if (parsed.password !== '') credentials.password = decode(parsed.password, 'password');
  if (scheme.protocol === 'tcp' || scheme.protocol === 'tls') {
    return { protocol: scheme.protocol, host, port, ...credentials };
  }
  const path = parsed.pathname === '' ? '/' : parsed.pathname;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { protocol: scheme.protocol, host, port, path, url: `${parsed.protocol}//${hostPart}:${port}${path}`, ...credentials };
}
