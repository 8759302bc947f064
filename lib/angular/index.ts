/**
 * `rxmqtt/angular`: MQTT for Angular applications, functions only (no NgModule). Needs
 * `@angular/core` 17 or later (an optional peer dependency of rxmqtt). See docs/angular.md.
 *
 * @example
 * ```ts
 * import { provideMqtt, mqttSignal, connectionState } from 'rxmqtt/angular';
 * bootstrapApplication(App, { providers: [provideMqtt({ url: 'wss://broker.example.com/mqtt' })] });
 * // in a component:
 * readonly latest = mqttSignal('sensors/+/temperature', { qos: 1 });
 * readonly state = connectionState();
 * ```
 *
 * @module rxmqtt/angular
 */
export { provideMqtt } from './provide-mqtt.js';
export { MqttConnection, type MqttProviderOptions, type MqttProviderOptionsInput } from './mqtt-connection.js';
export { createMqttToken, DEFAULT_MQTT, type MqttToken } from './mqtt-token.js';
export { injectMqtt, type InjectMqttOptions } from './inject-mqtt.js';
export { mqttSignal, type MqttSignalOptions } from './mqtt-signal.js';
export { connectionState } from './connection-state.js';
export { throughZone } from './through-zone.js';
