import { Injector, assertInInjectionContext, inject, type InjectionToken } from '@angular/core';
import type { MqttClient } from '../client/mqtt-client.js';
import { InvalidArgumentError } from '../errors.js';
import type { MqttConnection } from './mqtt-connection.js';
import { DEFAULT_MQTT, type MqttToken } from './mqtt-token.js';

/**
 * Where {@link injectMqtt} and the signal helpers look the connection up.
 *
 * @example
 * ```ts
 * // outside an injection context, e.g. in a callback:
 * const client = injectMqtt({ token: TELEMETRY, injector: this.injector });
 * ```
 */
export interface InjectMqttOptions {
  /** The connection, from {@link createMqttToken}; default {@link DEFAULT_MQTT}. */
  readonly token?: MqttToken;
  /** Look it up in this injector instead of the current injection context (so it works anywhere). */
  readonly injector?: Injector;
}

/**
 * The MQTT client provided by {@link provideMqtt}, created (and connecting) on the first call when
 * the provider is lazy. Call it in an injection context (a constructor, a field initializer, a
 * factory) or pass `{ injector }`. What the client's Observables deliver arrives inside the Angular
 * zone; the connection runs outside it. Subscriptions are the application's to end (the `async`
 * pipe, `toSignal` or `takeUntilDestroyed` do it); the client disconnects when the providing
 * injector is destroyed.
 *
 * Throws InvalidArgumentError (argument `token`) when no provideMqtt for that connection is in
 * reach, and Angular's NG0203 outside an injection context without `injector`.
 *
 * @example
 * ```ts
 * @Component({ selector: 'app-lamp', template: `<button (click)="toggle()">toggle</button>` })
 * export class Lamp {
 *   private readonly mqtt = injectMqtt();
 *   toggle(): void {
 *     this.mqtt.publish('home/lamp/set', 'toggle', { qos: 1 }).subscribe();
 *   }
 * }
 * ```
 */
export function injectMqtt(tokenOrOptions: MqttToken | InjectMqttOptions = {}): MqttClient {
  const options: InjectMqttOptions = isToken(tokenOrOptions) ? { token: tokenOrOptions } : tokenOrOptions;
  return lookUpConnection(options, injectMqtt).client;
}

/** The connection for `options`, from `options.injector` or the current injection context. */
export function lookUpConnection(options: InjectMqttOptions, caller: Function): MqttConnection {
  const token = options.token ?? DEFAULT_MQTT;
  if (options.injector === undefined) assertInInjectionContext(caller);
  const injector = options.injector ?? inject(Injector);
  const connection = injector.get<MqttConnection | null>(token as InjectionToken<MqttConnection | null>, null);
  if (connection === null) {
    const call = token === DEFAULT_MQTT ? 'provideMqtt(options)' : 'provideMqtt(options, token)';
    throw new InvalidArgumentError('token', `no ${call} for the "${token.mqttConnectionName}" connection in this injector`);
  }
  return connection;
}

function isToken(value: MqttToken | InjectMqttOptions): value is MqttToken {
  return typeof (value as { mqttConnectionName?: unknown }).mqttConnectionName === 'string';
}
