import { DestroyRef, Injector, computed, inject, signal, type Signal } from '@angular/core';
import type { SubscribeOptions } from '../client/mqtt-client.js';
import type { MqttMessage } from '../client/mqtt-message.js';
import type { TopicPattern } from '../session/topic-pattern.js';
import { lookUpConnection, type InjectMqttOptions } from './inject-mqtt.js';

/**
 * Options of {@link mqttSignal}: subscription options (`qos`, MQTT 5 `noLocal`, ...), the value
 * before the first message, and which connection (`token`, `injector`).
 *
 * @example
 * ```ts
 * readonly flow = mqttSignal('plant/+/flow', { qos: 1, initialValue: null, token: TELEMETRY });
 * ```
 */
export interface MqttSignalOptions<I = undefined> extends SubscribeOptions, InjectMqttOptions {
  /** The signal's value until the first message arrives (default undefined). */
  readonly initialValue?: I;
}

/**
 * A signal holding the latest message on `filter` (a filter string or a {@link rxmqtt!topicPattern},
 * whose messages carry typed `params`), `initialValue` until the first one arrives (retained
 * messages arrive at once). Subscribing happens now: the first subscriber of a filter sends
 * SUBSCRIBE (after CONNACK); when the injection context's DestroyRef is destroyed (the component,
 * the directive, the environment injector) it unsubscribes, and the last one of a filter sends
 * UNSUBSCRIBE. Messages arrive inside the Angular zone, and a signal write schedules change
 * detection in zoneless applications as well. When the subscription fails (SubscribeRefusedError,
 * ConnectionClosedError), reading the signal throws that error, as `toSignal` does; when the
 * client closes, the signal keeps its last value.
 *
 * Call it in an injection context, or pass `{ injector }`. Throws InvalidArgumentError for an
 * invalid filter or options, or when no provideMqtt for the connection is in reach.
 *
 * @example
 * ```ts
 * @Component({ selector: 'app-temperature', template: `{{ reading()?.json<{ celsius: number }>().celsius ?? '...' }} °C` })
 * export class Temperature {
 *   readonly reading = mqttSignal(topicPattern('sensors/:id/temperature'), { qos: 1 });
 * }
 * ```
 */
export function mqttSignal(filter: string, options?: MqttSignalOptions): Signal<MqttMessage | undefined>;
export function mqttSignal<I>(filter: string, options: MqttSignalOptions<I> & { readonly initialValue: I }): Signal<MqttMessage | I>;
export function mqttSignal<P>(pattern: TopicPattern<P>, options?: MqttSignalOptions): Signal<MqttMessage<P> | undefined>;
export function mqttSignal<P, I>(pattern: TopicPattern<P>, options: MqttSignalOptions<I> & { readonly initialValue: I }): Signal<MqttMessage<P> | I>;
export function mqttSignal(filter: string | TopicPattern<unknown>, options: MqttSignalOptions<unknown> = {}): Signal<unknown> {
  const { initialValue, token, injector: given, ...subscribeOptions } = options;
  const connection = lookUpConnection({ token, injector: given }, mqttSignal);
  const injector = given ?? inject(Injector);
  const state = signal<{ readonly value: unknown } | { readonly error: unknown }>({ value: initialValue });
  const subscribe = connection.client.subscribe as (f: string | TopicPattern<unknown>, o: SubscribeOptions) => ReturnType<typeof connection.client.subscribe>;
  const subscription = subscribe(filter, subscribeOptions).subscribe({
    next: (message) => state.set({ value: message }),
    error: (error: unknown) => state.set({ error }),
  });
  injector.get(DestroyRef).onDestroy(() => subscription.unsubscribe());
  return computed(() => {
    const current = state();
    if ('error' in current) throw current.error;
    return current.value;
  });
}
