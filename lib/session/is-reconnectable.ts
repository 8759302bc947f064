import { ConnectionClosedError, ConnectRefusedError, InvalidArgumentError, MqttError, StoreError } from '../errors.js';

/** Refusals that say the server is (for now) unable to take the connection: worth another try. */
const TRANSIENT_REFUSALS = new Set([
  0x03, // 3.1.1 Server unavailable
  0x88, // Server unavailable
  0x89, // Server busy
  0x97, // Quota exceeded
  0x9c, // Use another server
  0x9d, // Server moved
  0x9f, // Connection rate exceeded
]);
/** Refusals of the credentials: retrying with the same ones fails again. */
const CREDENTIAL_REFUSALS = new Set([0x04, 0x05, 0x86, 0x87]);

/**
 * Whether the client should reconnect after `error` ended a connection or an attempt.
 *
 * - Lost connections, transport failures, timeouts and protocol or decode errors: yes.
 * - A server DISCONNECT: yes, except 0x8E Session taken over (another client with the same client
 *   identifier connected; reconnecting would take it back and start a tug of war).
 * - A refused CONNECT: yes for the transient codes (server unavailable or busy, quota, rate, use
 *   another server); for bad credentials (0x04/0x05, 0x86/0x87) only when `canRefreshCredentials`
 *   (a `beforeConnect` hook can supply new ones); never for the others (bad protocol version, client
 *   identifier rejected, banned, ...), which fail the same way every time.
 * - A StoreError: yes for `STORE_IO` (a full disk may recover), no for `STORE_CLOSED`.
 * - InvalidArgumentError (e.g. a `beforeConnect` hook returned bad values) and unknown errors: no.
 *
 * @example
 * ```ts
 * isReconnectable(new ConnectRefusedError(0x05, 'not authorized'), false); // false
 * ```
 */
export function isReconnectable(error: unknown, canRefreshCredentials: boolean): boolean {
  if (error instanceof InvalidArgumentError) return false;
  if (error instanceof ConnectRefusedError) {
    return TRANSIENT_REFUSALS.has(error.reasonCode) || (canRefreshCredentials && CREDENTIAL_REFUSALS.has(error.reasonCode));
  }
  if (error instanceof ConnectionClosedError && error.code === 'SERVER_DISCONNECT') return error.reasonCode !== 0x8e;
  // A closed store stays closed: every new connection would fail the same way.
  if (error instanceof StoreError && error.code === 'STORE_CLOSED') return false;
  return error instanceof MqttError && error.code !== 'INTERNAL_ERROR';
}
