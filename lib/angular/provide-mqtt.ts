import { DestroyRef, ENVIRONMENT_INITIALIZER, EnvironmentInjector, NgZone, PLATFORM_ID, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { InvalidArgumentError } from '../errors.js';
import { checkProviderOptions, MqttConnection, type MqttProviderOptionsInput } from './mqtt-connection.js';
import { DEFAULT_MQTT, type MqttToken } from './mqtt-token.js';

/**
 * Environment providers for one MQTT connection, for `bootstrapApplication`, `createApplication`
 * or a route's `providers`. No NgModule needed.
 *
 * - `options`: the client options of `connect()` (`url`, `protocolVersion`, `reconnect`, ...) plus
 *   `eager` and `disconnectTimeout`, or a function returning them, run once in the environment
 *   injector's context at application start (so it may `inject()` a configuration service).
 * - `token`: the connection's name, from {@link createMqttToken}; default {@link DEFAULT_MQTT}.
 *
 * Lazy by default: nothing connects until something injects the client; `eager: true` connects at
 * application start. The client is created, and its socket and timers run, outside the Angular
 * zone, so the application becomes stable while connected; what `injectMqtt()` delivers re-enters
 * the zone. When the providing injector is destroyed the client disconnects. During server-side
 * rendering (`PLATFORM_ID` is `'server'`), or with no WebSocket and no transport, it does not
 * connect: `injectMqtt()` gives a closed client that opens nothing (see docs/angular.md).
 *
 * Throws InvalidArgumentError for options that are neither an object nor a function, or an
 * invalid `eager`; the client options themselves are checked when the client is created
 * (`connect()` throws InvalidArgumentError naming the option).
 *
 * @example
 * ```ts
 * bootstrapApplication(App, {
 *   providers: [
 *     provideMqtt({ url: 'wss://broker.example.com/mqtt', protocolVersion: 5, eager: true }),
 *     provideMqtt(() => ({ url: inject(CONFIG).telemetryUrl }), TELEMETRY),
 *   ],
 * });
 * ```
 */
export function provideMqtt(options: MqttProviderOptionsInput, token: MqttToken = DEFAULT_MQTT): EnvironmentProviders {
  if (typeof options !== 'function') checkProviderOptions(options);
  if (token === undefined || typeof (token as { mqttConnectionName?: unknown }).mqttConnectionName !== 'string') {
    throw new InvalidArgumentError('token', 'expected a token from createMqttToken()');
  }
  return makeEnvironmentProviders([
    {
      provide: token,
      useFactory: () => {
        const connection = new MqttConnection(options, inject(EnvironmentInjector), inject(NgZone), inject(PLATFORM_ID) === 'server');
        inject(DestroyRef).onDestroy(() => connection.destroy());
        return connection;
      },
    },
    {
      provide: ENVIRONMENT_INITIALIZER,
      multi: true,
      useValue: () => inject<MqttConnection>(token).startIfEager(),
    },
  ]);
}
