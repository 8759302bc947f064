/**
 * `rxmqtt/node`: the Node.js-only parts: `connect` for every URL scheme (`mqtt://`, `mqtts://`,
 * `ws://`, `wss://`), TCP and TLS transports, socket adapters and the file-backed in-flight store.
 *
 * @example
 * ```ts
 * import { connectAsync } from 'rxmqtt/node';
 * const client = await connectAsync('mqtts://broker.example.com', { username: 'sensor-7', password: process.env.MQTT_PASSWORD });
 * await client.publishAsync('sensors/7/temperature', '21.5', { qos: 1 }); // resolves on PUBACK
 * await client.disconnect();
 * ```
 *
 * @module rxmqtt/node
 */
export { tcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { tlsTransport, type TlsTransportOptions, type TlsClientOptions, type TlsMaterial } from './tls-transport.js';
export { socketTransport } from './socket-transport.js';
export { connect, connectAsync, type NodeClientOptions } from './connect.js';
export { FileInFlightStore, type FileInFlightStoreOptions } from './file-in-flight-store.js';
// The client types, for Node users who import everything from `rxmqtt/node`.
export type { MqttClient, ClientState, SubscribeOptions, PublishOptions, DisconnectOptions } from '../client/mqtt-client.js';
export type { MqttMessage } from '../client/mqtt-message.js';
