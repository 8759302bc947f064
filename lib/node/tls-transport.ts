import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { InvalidArgumentError } from '../errors.js';
import type { TransportFactory } from '../transport/transport.js';
import { validateHostPort, validateTimeout } from '../transport/validate-endpoint.js';
import { openSocketTransport } from './socket-transport.js';

/** PEM text or DER/PEM bytes, or a list of them (as Node's `tls.connect` accepts). */
export type TlsMaterial = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/** The certificate options of a TLS client, shared by {@link tlsTransport} and `connect` in `rxmqtt/node`. */
export interface TlsClientOptions {
  /** Trusted CA certificates. Default: Node's bundled public CAs. */
  readonly ca?: TlsMaterial;
  /** Client certificate chain, for brokers that require one. Needs `key`. */
  readonly cert?: TlsMaterial;
  /** Private key of `cert`. */
  readonly key?: TlsMaterial;
  /** Passphrase of an encrypted `key`. */
  readonly passphrase?: string;
  /** Server name for SNI and certificate checks. Default: the host when it is a name, none for an IP. */
  readonly servername?: string;
  /** Verify the broker's certificate and name. Default `true`; turn off only for testing. */
  readonly rejectUnauthorized?: boolean;
}

/** Options of {@link tlsTransport}. */
export interface TlsTransportOptions extends TlsClientOptions {
  /** Host name or IP address of the broker. */
  readonly host: string;
  /** TCP port, 1 to 65535 (MQTT over TLS's registered port is 8883). */
  readonly port: number;
  /** Milliseconds to wait for the TLS handshake before failing with `TRANSPORT_TIMEOUT`. Default 30 000. */
  readonly connectTimeout?: number;
  /** Further options passed to Node's `tls.connect` (the options above win). */
  readonly tlsOptions?: ConnectionOptions;
}

function checkMaterial(name: string, value: unknown): void {
  if (value === undefined) return;
  const ok = (v: unknown): boolean => typeof v === 'string' || Object.prototype.toString.call(v) === '[object Uint8Array]';
  if (ok(value) || (Array.isArray(value) && value.every(ok))) return;
  throw new InvalidArgumentError(name, 'expected PEM text, bytes, or a list of them');
}

/**
 * A {@link TransportFactory} for MQTT over TLS (`mqtts://`). Node only. The broker's certificate
 * and host name are verified unless `rejectUnauthorized: false` is given explicitly.
 *
 * Cold: each subscription opens a new TLS connection and emits the `Transport` once the handshake
 * has completed (and the certificate has been verified), then completes. Nothing MQTT is sent by
 * opening. Unsubscribing before that destroys the socket; after that, close the `Transport`.
 *
 * Errors: throws `InvalidArgumentError` for bad options; the Observable errors with a
 * `TransportError` naming host, port and cause, e.g. `TLS certificate problem:
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate`, `ECONNREFUSED`, or code
 * `TRANSPORT_TIMEOUT`.
 *
 * @example
 * ```ts
 * const factory = tlsTransport({ host: 'broker.example.com', port: 8883, ca: readFileSync('ca.pem', 'utf8') });
 * factory().subscribe((transport) => transport.send(connectBytes));
 * ```
 */
export function tlsTransport(options: TlsTransportOptions): TransportFactory {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'expected { host, port, ca?, cert?, key?, ... }');
  }
  const { host, port, ca, cert, key, passphrase, servername, tlsOptions } = options;
  validateHostPort(host, port);
  const connectTimeout = validateTimeout(options.connectTimeout);
  checkMaterial('ca', ca);
  checkMaterial('cert', cert);
  checkMaterial('key', key);
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError(cert === undefined ? 'cert' : 'key', 'a client certificate needs both cert and key');
  }
  if (options.rejectUnauthorized !== undefined && typeof options.rejectUnauthorized !== 'boolean') {
    throw new InvalidArgumentError('rejectUnauthorized', `expected a boolean, got ${typeof options.rejectUnauthorized}`);
  }
  if (servername !== undefined && (typeof servername !== 'string' || servername === '')) {
    throw new InvalidArgumentError('servername', 'expected a non-empty host name');
  }
  if (passphrase !== undefined && typeof passphrase !== 'string') {
    throw new InvalidArgumentError('passphrase', 'expected a string');
  }
  const connectOptions: ConnectionOptions = {
    ...tlsOptions,
    host,
    port,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    // SNI must not carry an IP address (RFC 6066 section 3).
    servername: servername ?? (isIP(host) === 0 ? host : undefined),
  };
  if (ca !== undefined) connectOptions.ca = ca as ConnectionOptions['ca'];
  if (cert !== undefined) connectOptions.cert = cert as ConnectionOptions['cert'];
  if (key !== undefined) connectOptions.key = key as ConnectionOptions['key'];
  if (passphrase !== undefined) connectOptions.passphrase = passphrase;
  return () =>
    openSocketTransport({
      label: `TLS connection to ${host}:${port}`,
      create: () => connect(connectOptions),
      readyEvent: 'secureConnect',
      connectTimeout,
    });
}
