import type { Observable } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { parseBrokerUrl, type BrokerUrl } from '../transport/parse-broker-url.js';
import type { Transport, TransportFactory } from '../transport/transport.js';

const SCHEME_OF: Readonly<Record<BrokerUrl['protocol'], string>> = { tcp: 'mqtt', tls: 'mqtts', ws: 'ws', wss: 'wss' };

/**
 * The transport of a client with several servers (`ClientOptions.servers`) or one that follows
 * MQTT 5 Server References: each connection attempt opens the next server of the list, cycling,
 * unless a Server Reference named where to go ({@link redirect}), which the next attempt uses once.
 *
 * @example
 * ```ts
 * const rotation = new ServerRotation(['mqtt://a:1883', 'mqtt://b:1883'], (url) => tcpFor(url));
 * connect({ transport: rotation.factory });
 * ```
 */
export class ServerRotation {
  private readonly servers: readonly BrokerUrl[];
  private index = -1;
  private redirected: BrokerUrl | undefined = undefined;
  /** The URL the latest attempt opened. */
  current: BrokerUrl | undefined = undefined;

  /** Throws InvalidArgumentError (naming `servers[i]`) for a URL that does not parse. */
  constructor(
    servers: readonly string[],
    private readonly open: (url: BrokerUrl) => TransportFactory,
  ) {
    this.servers = servers.map((url, i) => {
      try {
        return parseBrokerUrl(url);
      } catch (error) {
        throw new InvalidArgumentError(`servers[${i}]`, error instanceof Error ? error.message : String(error), { cause: error });
      }
    });
  }

  /** Opens the next server (or the redirection target). Cold, like every TransportFactory. */
  readonly factory: TransportFactory = (): Observable<Transport> => {
    const target = this.redirected ?? this.servers[(this.index = (this.index + 1) % this.servers.length)];
    this.redirected = undefined;
    this.current = target;
    return this.open(target as BrokerUrl)();
  };

  /**
   * The next attempt goes to `reference`, an MQTT 5 Server Reference: a space-separated list of
   * `host[:port]` or URLs; the first one is used, with the current server's protocol and default
   * port when it gives none. False (nothing changes) for a reference that names no usable server.
   */
  redirect(reference: string): boolean {
    const base = this.current ?? this.servers[0];
    const first = reference.trim().split(/\s+/)[0];
    if (base === undefined || first === undefined || first === '') return false;
    const scheme = SCHEME_OF[base.protocol];
    const path = base.protocol === 'ws' || base.protocol === 'wss' ? base.path : '';
    const text = first.includes('://') ? first : `${scheme}://${first.includes(':') ? first : `${first}:${base.port}`}${path}`;
    try {
      this.redirected = parseBrokerUrl(text);
      return true;
    } catch {
      return false;
    }
  }
}
