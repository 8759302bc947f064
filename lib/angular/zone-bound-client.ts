import type { NgZone } from '@angular/core';
import { firstValueFrom, type Observable } from 'rxjs';
import type { MqttClient, PublishOptions, SubscribeOptions, DisconnectOptions } from '../client/mqtt-client.js';
import type { MqttMessage } from '../client/mqtt-message.js';
import type { TopicPattern } from '../session/topic-pattern.js';
import { throughZone } from './through-zone.js';

/**
 * The client an Angular application gets from `injectMqtt()`: the same client, with every
 * Observable subscribed outside the Angular zone and its notifications delivered inside (see
 * {@link throughZone}). The connection itself was opened outside the zone.
 */
export function zoneBoundClient(client: MqttClient, zone: NgZone): MqttClient {
  const state$ = client.state$.pipe(throughZone(zone));
  const subscribe = (filter: string | TopicPattern<unknown>, options?: SubscribeOptions): Observable<MqttMessage<unknown>> =>
    // The overloads take one or the other; the client tells them apart at run time.
    (client.subscribe as (f: string | TopicPattern<unknown>, o?: SubscribeOptions) => Observable<MqttMessage<unknown>>)(filter, options).pipe(
      throughZone(zone),
    );
  const publish = (topic: string, payload: string | Uint8Array, options?: PublishOptions): Observable<void> =>
    client.publish(topic, payload, options).pipe(throughZone(zone));
  return {
    state$,
    get clientId() {
      return client.clientId;
    },
    protocolVersion: client.protocolVersion,
    subscribe: subscribe as MqttClient['subscribe'],
    publish,
    publishAsync: (topic, payload, options) => firstValueFrom(publish(topic, payload, options)),
    disconnect: (options?: DisconnectOptions) => zone.runOutsideAngular(() => client.disconnect(options)),
    stats: (periodMs?: number) => client.stats(periodMs).pipe(throughZone(zone)),
    reauthenticate: (data?: Uint8Array) => zone.runOutsideAngular(() => client.reauthenticate(data)),
  };
}
