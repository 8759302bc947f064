import { DestroyRef, Injector, inject, signal, type Signal } from '@angular/core';
import type { ClientState } from '../client/mqtt-client.js';
import { lookUpConnection, type InjectMqttOptions } from './inject-mqtt.js';

/**
 * The client's state as a signal: `connecting`, `connected` (with the CONNACK), `reconnecting`
 * (attempt, delay, cause), `disconnecting`, `closed` (with the error, if any). Reading it creates
 * the client if the provider is lazy. Subscribing to `state$` sends nothing; it ends when the
 * injection context's DestroyRef is destroyed. During server-side rendering it is `closed`
 * without an error.
 *
 * Call it in an injection context, or pass `{ injector }`. Throws InvalidArgumentError when no
 * provideMqtt for the connection is in reach.
 *
 * @example
 * ```ts
 * @Component({ selector: 'app-status', template: `@if (state().status !== 'connected') { <p>offline: {{ state().status }}</p> }` })
 * export class Status {
 *   readonly state = connectionState();
 * }
 * ```
 */
export function connectionState(options: InjectMqttOptions = {}): Signal<ClientState> {
  const connection = lookUpConnection(options, connectionState);
  const injector = options.injector ?? inject(Injector);
  // state$ replays the current state at once, so the initial value is only seen if it does not.
  const state = signal<ClientState>({ status: 'connecting' });
  const subscription = connection.client.state$.subscribe((s) => state.set(s));
  injector.get(DestroyRef).onDestroy(() => subscription.unsubscribe());
  return state.asReadonly();
}
