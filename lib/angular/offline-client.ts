import { EMPTY, of, throwError } from 'rxjs';
import type { ClientState, MqttClient } from '../client/mqtt-client.js';
import { ConnectionClosedError } from '../errors.js';

const CLOSED: ClientState = { status: 'closed' };

/**
 * The client `injectMqtt()` gives during server-side rendering (or wherever there is no way to
 * open a connection): a client that never connects, opens nothing and starts no timer. `state$`
 * is `closed` (without an error) and completes; `subscribe()` completes at once, so signals keep
 * their initial value; `publish()` errors with ConnectionClosedError code `SERVER_SIDE`;
 * `disconnect()` resolves; `stats()` completes; `reauthenticate()` rejects like `publishAsync()`.
 */
export function offlineClient(reason: string, protocolVersion: 4 | 5 = 4): MqttClient {
  const refuse = () => throwError(() => new ConnectionClosedError(`not connected: ${reason}`, { code: 'SERVER_SIDE' }));
  return {
    state$: of(CLOSED),
    clientId: '',
    protocolVersion,
    subscribe: (() => EMPTY) as MqttClient['subscribe'],
    publish: refuse,
    publishAsync: () => Promise.reject(new ConnectionClosedError(`not connected: ${reason}`, { code: 'SERVER_SIDE' })),
    disconnect: () => Promise.resolve(),
    stats: () => EMPTY,
    reauthenticate: () => Promise.reject(new ConnectionClosedError(`not connected: ${reason}`, { code: 'SERVER_SIDE' })),
  };
}
