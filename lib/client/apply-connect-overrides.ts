import type { ConnectPacket } from '../codec/packet.js';
import { InvalidArgumentError, MqttError } from '../errors.js';
import { toPayload, type ClientOptions, type ConnectOverrides } from './client-options.js';

/**
 * The CONNECT for one connection attempt: `base` with what a `beforeConnect` hook returned
 * (`username`, `password`, MQTT 5 `properties` merged over the configured ones). For a reconnect
 * (`first` false) of an MQTT 5 client whose Session Expiry Interval keeps the session, Clean Start
 * is turned off so that the session started by the first connection is resumed.
 *
 * Throws InvalidArgumentError (argument `beforeConnect`) when the hook returned something invalid.
 *
 * @example
 * ```ts
 * const connect = applyConnectOverrides(base, { password: freshToken }, false);
 * ```
 */
export function applyConnectOverrides(base: ConnectPacket, overrides: ConnectOverrides | void, first: boolean): ConnectPacket {
  const sessionKept = base.protocolVersion === 5 && (base.properties?.sessionExpiryInterval ?? 0) > 0;
  const cleanStart = first || !sessionKept ? base.cleanStart : false;
  if (overrides === undefined || overrides === null) return cleanStart === base.cleanStart ? base : { ...base, cleanStart };
  if (typeof overrides !== 'object') {
    throw new InvalidArgumentError('beforeConnect', `must return (a Promise of) { username?, password?, properties? } or nothing, got ${typeof overrides}`);
  }
  const { username, password, properties } = overrides;
  if (username !== undefined && typeof username !== 'string') {
    throw new InvalidArgumentError('beforeConnect', `returned a username that is not a string (${typeof username})`);
  }
  if (properties !== undefined && (properties === null || typeof properties !== 'object')) {
    throw new InvalidArgumentError('beforeConnect', 'returned properties that are not an object');
  }
  if (properties !== undefined && base.protocolVersion !== 5) {
    throw new InvalidArgumentError('beforeConnect', 'returned CONNECT properties, which need protocolVersion 5');
  }
  const next: ConnectPacket = {
    ...base,
    cleanStart,
    username: username ?? base.username,
    password: password === undefined ? base.password : toPayload(password, 'beforeConnect password'),
    properties: properties === undefined ? base.properties : { ...base.properties, ...properties },
  };
  if (next.protocolVersion === 4 && next.password !== undefined && next.username === undefined) {
    throw new InvalidArgumentError('beforeConnect', 'MQTT 3.1.1 allows a password only together with a username', {
      specRef: 'MQTT-3.1.2-22',
    });
  }
  return next;
}

/**
 * Runs a beforeConnect hook; a failure that is not an MqttError becomes one, code
 * `BEFORE_CONNECT_FAILED` (and counts as retryable).
 *
 * @example
 * ```ts
 * const overrides = await runBeforeConnect(async () => ({ password: await freshToken() }), 1);
 * ```
 */
export async function runBeforeConnect(hook: NonNullable<ClientOptions['beforeConnect']>, attempt: number): Promise<ConnectOverrides | void> {
  try {
    return await hook(attempt);
  } catch (error) {
    if (error instanceof MqttError) throw error;
    throw new MqttError('BEFORE_CONNECT_FAILED', `beforeConnect failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
