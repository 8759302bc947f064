import { connect } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import type { TransportFactory } from '../transport/transport.js';
import { validateHostPort, validateTimeout } from '../transport/validate-endpoint.js';
import { openSocketTransport } from './socket-transport.js';

/** Options of {@link tcpTransport}. */
export interface TcpTransportOptions {
  /** Host name or IP address of the broker. */
  readonly host: string;
  /** TCP port, 1 to 65535 (MQTT's registered port is 1883). */
  readonly port: number;
  /** Milliseconds to wait for the connection before failing with `TRANSPORT_TIMEOUT`. Default 30 000. */
  readonly connectTimeout?: number;
}

/**
 * A {@link TransportFactory} for plain TCP (`mqtt://`). Node only.
 *
 * Cold: each subscription opens a new TCP connection, emits the connected `Transport` once and
 * completes. Nothing is sent on the wire by opening; the MQTT client sends CONNECT. Unsubscribing
 * before the connection is open destroys the socket; after that, close the `Transport`.
 *
 * Errors: throws `InvalidArgumentError` for a bad host, port or timeout; the Observable errors with
 * `TransportError` naming host, port and cause (e.g. `ECONNREFUSED`), or code `TRANSPORT_TIMEOUT`.
 *
 * @example
 * ```ts
 * tcpTransport({ host: 'localhost', port: 1883 })().subscribe((transport) => {
 *   transport.incoming.subscribe((bytes) => console.log(bytes));
 *   transport.send(connectBytes);
 * });
 * ```
 */
export function tcpTransport(options: TcpTransportOptions): TransportFactory {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'expected { host, port }');
  }
  const { host, port } = options;
  validateHostPort(host, port);
  const connectTimeout = validateTimeout(options.connectTimeout);
  return () =>
    openSocketTransport({
      label: `TCP connection to ${host}:${port}`,
      create: () => connect({ host, port }),
      readyEvent: 'connect',
      connectTimeout,
    });
}
