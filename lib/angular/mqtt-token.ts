import { InjectionToken } from '@angular/core';
import { InvalidArgumentError } from '../errors.js';
import type { MqttConnection } from './mqtt-connection.js';

/**
 * Names one MQTT connection of an Angular application: {@link provideMqtt} provides it, and
 * {@link injectMqtt}, {@link mqttSignal} and {@link connectionState} take it to pick the connection.
 * Without a token they all use the default connection.
 *
 * @example
 * ```ts
 * export const TELEMETRY = createMqttToken('telemetry');
 * bootstrapApplication(App, { providers: [provideMqtt({ url: 'wss://telemetry.example.com/mqtt' }, TELEMETRY)] });
 * const telemetry = injectMqtt(TELEMETRY);
 * ```
 */
export type MqttToken = InjectionToken<MqttConnection> & {
  /** The connection's name, as given to {@link createMqttToken}. */
  readonly mqttConnectionName: string;
};

/**
 * A new {@link MqttToken} for a named connection. Each call makes a distinct token, so create it
 * once (a module constant) and share it. The name only appears in Angular's error messages (a
 * missing provider names it); it throws InvalidArgumentError for an empty or non-string name.
 *
 * @example
 * ```ts
 * export const TELEMETRY = createMqttToken('telemetry');
 * export const COMMANDS = createMqttToken('commands');
 * ```
 */
export function createMqttToken(name: string): MqttToken {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('name', 'give a non-empty connection name');
  const token = new InjectionToken<MqttConnection>(`rxmqtt connection "${name}"`);
  return Object.assign(token, { mqttConnectionName: name });
}

/**
 * The default connection's token: what `provideMqtt(options)` and `injectMqtt()` use when given
 * no token.
 *
 * @example
 * ```ts
 * const client = injectMqtt(DEFAULT_MQTT); // the same as injectMqtt()
 * ```
 */
export const DEFAULT_MQTT: MqttToken = createMqttToken('default');
