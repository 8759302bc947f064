/**
 * The Origins a WebSocket listener accepts when `allowedOrigins` is not given: pages served from
 * this machine (localhost, 127.0.0.1, [::1]) over http or https, on any port. A `:*` port matches
 * any port, the default one included.
 *
 * @example
 * ```ts
 * await startBroker({ port: 0, websocket: { port: 0, allowedOrigins: [...DEFAULT_ALLOWED_ORIGINS, 'https://app.example.com'] } });
 * ```
 */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = Object.freeze(
  ['localhost', '127.0.0.1', '[::1]'].flatMap((host) => [`http://${host}:*`, `https://${host}:*`]),
);

/**
 * What is wrong with `pattern` as an `allowedOrigins` entry, or `undefined` when it is valid. An
 * entry is `*` (any Origin), `null` (the Origin browsers send for `file:` pages and sandboxed
 * frames), an origin such as `https://app.example.com:8443`, or one with the port `*`.
 *
 * @example
 * ```ts
 * originPatternProblem('https://app.example.com'); // undefined
 * originPatternProblem('app.example.com');          // 'must be *, null or an origin such as https://app.example.com'
 * ```
 */
export function originPatternProblem(pattern: unknown): string | undefined {
  if (pattern === '*' || pattern === 'null') return undefined;
  if (typeof pattern !== 'string' || parsePattern(pattern) === undefined) {
    return 'must be *, null or an origin such as https://app.example.com (a port of * matches any port)';
  }
  return undefined;
}

/**
 * True when a WebSocket upgrade with this `Origin` header may proceed. A request without an Origin
 * comes from a program, not a browser page, and is accepted: the Origin check protects against
 * web pages a developer visits using their broker, which browsers always label with an Origin.
 *
 * @example
 * ```ts
 * originAllowed(undefined, DEFAULT_ALLOWED_ORIGINS);               // true (not a browser)
 * originAllowed('http://localhost:5173', DEFAULT_ALLOWED_ORIGINS); // true
 * originAllowed('http://evil.example', DEFAULT_ALLOWED_ORIGINS);   // false
 * ```
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  const parsed = parseOrigin(origin);
  for (const pattern of allowed) {
    if (pattern === '*') return true;
    if (pattern === 'null') {
      if (origin === 'null') return true;
      continue;
    }
    const p = parsePattern(pattern);
    if (p === undefined || parsed === undefined) continue;
    if (p.protocol === parsed.protocol && p.hostname === parsed.hostname && (p.port === '*' || p.port === parsed.port)) return true;
  }
  return false;
}

interface OriginParts {
  readonly protocol: string;
  readonly hostname: string;
  /** The port as written, '' for the scheme's default, '*' (patterns only) for any. */
  readonly port: string;
}

function parseOrigin(origin: string): OriginParts | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  // An origin has no path, query or credentials.
  if (url.origin === 'null' || url.hostname === '' || url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return undefined;
  }
  return { protocol: url.protocol, hostname: url.hostname, port: url.port };
}

function parsePattern(pattern: string): OriginParts | undefined {
  if (pattern.endsWith(':*')) {
    const base = parseOrigin(pattern.slice(0, -2));
    return base === undefined || base.port !== '' ? undefined : { ...base, port: '*' };
  }
  return parseOrigin(pattern);
}
