import { runInInjectionContext, type EnvironmentInjector, type NgZone } from '@angular/core';
import { connect } from '../client/connect.js';
import type { ClientOptions } from '../client/client-options.js';
import type { MqttClient } from '../client/mqtt-client.js';
import { InvalidArgumentError } from '../errors.js';
import { offlineClient } from './offline-client.js';
import { zoneBoundClient } from './zone-bound-client.js';

/**
 * Options of {@link provideMqtt}: the client's options (docs/client.md), plus when to connect and
 * how long to wait for flows in flight when the providing injector is destroyed.
 *
 * @example
 * ```ts
 * const options: MqttProviderOptions = { url: 'wss://broker.example.com/mqtt', protocolVersion: 5, eager: true, disconnectTimeout: 500 };
 * provideMqtt(options);
 * ```
 */
export interface MqttProviderOptions extends ClientOptions {
  /**
   * `false` (default): the client is created, and connects, the first time something injects it
   * (`injectMqtt`, `mqttSignal`, `connectionState`). `true`: at application start (an environment
   * initializer), so the connection is being made while the first view renders.
   */
  readonly eager?: boolean;
  /**
   * When the injector that provided the client is destroyed (the application, or a lazy route's
   * injector), the client disconnects, waiting at most this many milliseconds for flows in flight.
   * Default 1000.
   */
  readonly disconnectTimeout?: number;
}

/**
 * What {@link provideMqtt} accepts: the options, or a function returning them, run once at
 * application start in the environment injector's context (so it may call `inject()`).
 *
 * @example
 * ```ts
 * const input: MqttProviderOptionsInput = () => ({ url: inject(APP_CONFIG).brokerUrl });
 * provideMqtt(input);
 * ```
 */
export type MqttProviderOptionsInput = MqttProviderOptions | (() => MqttProviderOptions);

/**
 * One connection of an Angular application, the value behind an {@link MqttToken}: it creates the
 * client on first use, outside the Angular zone, and disconnects it when its injector is destroyed.
 * Applications use {@link injectMqtt} rather than this.
 *
 * @example
 * ```ts
 * const client = inject(TELEMETRY).client; // what injectMqtt(TELEMETRY) does
 * ```
 */
export class MqttConnection {
  private created: { readonly raw: MqttClient; readonly bound: MqttClient } | undefined;
  private destroyed = false;
  private disconnectTimeout = 1000;
  private options: MqttProviderOptions | undefined;

  /** @internal */
  constructor(
    private readonly input: MqttProviderOptionsInput,
    private readonly injector: EnvironmentInjector,
    private readonly zone: NgZone,
    private readonly onServer: boolean,
  ) {}

  /**
   * The client (zone-bound): created and connecting on the first read.
   *
   * @example
   * ```ts
   * inject(TELEMETRY).client.subscribe('plant/#').subscribe((m) => console.log(m.topic));
   * ```
   */
  get client(): MqttClient {
    this.created ??= this.create();
    return this.created.bound;
  }

  /**
   * Reads the options (running the options function) and, with `eager: true`, creates the client.
   * provideMqtt's environment initializer calls it at application start.
   *
   * @example
   * ```ts
   * inject(TELEMETRY).startIfEager();
   * ```
   */
  startIfEager(): void {
    if (this.resolve().eager === true) void this.client;
  }

  /**
   * Disconnects the client if it was created (waiting at most `disconnectTimeout` ms); a client
   * first read after this is a closed, offline one. Called when the providing injector is destroyed.
   *
   * @example
   * ```ts
   * inject(DestroyRef).onDestroy(() => connection.destroy());
   * ```
   */
  destroy(): void {
    this.destroyed = true;
    const created = this.created;
    if (created === undefined) return;
    const timeout = this.disconnectTimeout;
    this.zone.runOutsideAngular(() => void created.raw.disconnect({ timeout }).catch(() => undefined));
  }

  private resolve(): MqttProviderOptions {
    this.options ??= checkProviderOptions(typeof this.input === 'function' ? runInInjectionContext(this.injector, this.input) : this.input);
    return this.options;
  }

  private create(): { raw: MqttClient; bound: MqttClient } {
    if (this.destroyed) {
      const raw = offlineClient('its injector was destroyed');
      return { raw, bound: raw };
    }
    const { eager: _eager, disconnectTimeout, ...clientOptions } = this.resolve();
    if (disconnectTimeout !== undefined) this.disconnectTimeout = disconnectTimeout;
    // Server-side rendering: no socket, no timer; the page renders with initial values (docs/angular.md).
    const reason = this.onServer ? 'server-side rendering' : noWayToConnect(clientOptions);
    if (reason !== undefined) {
      const raw = offlineClient(reason, clientOptions.protocolVersion);
      return { raw, bound: raw };
    }
    // Outside the zone: the socket's listeners, keepalive and reconnect timers are not tracked by
    // zone.js, so they neither keep the application unstable nor run change detection.
    const raw = this.zone.runOutsideAngular(() => connect(clientOptions));
    return { raw, bound: zoneBoundClient(raw, this.zone) };
  }
}

/** Checks what provideMqtt was given (or its function returned); throws InvalidArgumentError. */
export function checkProviderOptions(options: unknown): MqttProviderOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'provideMqtt needs client options (an object) or a function returning them');
  const { eager, disconnectTimeout } = options as MqttProviderOptions;
  if (eager !== undefined && typeof eager !== 'boolean') throw new InvalidArgumentError('eager', 'expected a boolean');
  if (disconnectTimeout !== undefined && !(typeof disconnectTimeout === 'number' && disconnectTimeout >= 0 && Number.isFinite(disconnectTimeout))) {
    throw new InvalidArgumentError('disconnectTimeout', 'expected a number of milliseconds, 0 or more');
  }
  return options as MqttProviderOptions;
}

/** Why these options cannot connect here (no transport and no WebSocket), or undefined when they can. */
function noWayToConnect(options: ClientOptions): string | undefined {
  if (options.transport !== undefined || options.WebSocket !== undefined) return undefined;
  return typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? undefined : 'this platform has no WebSocket';
}
