/**
 * `rxmqtt/node`: the Node.js-only parts (TCP and TLS transports and socket adapters).
 */
export { tcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { tlsTransport, type TlsTransportOptions, type TlsClientOptions, type TlsMaterial } from './tls-transport.js';
export { socketTransport } from './socket-transport.js';
export { connect, connectAsync, type NodeClientOptions } from './connect.js';
export { FileInFlightStore, type FileInFlightStoreOptions } from './file-in-flight-store.js';
// The client types, for Node users who import everything from `rxmqtt/node`.
export type { MqttClient, ClientState, SubscribeOptions, PublishOptions, DisconnectOptions } from '../client/mqtt-client.js';
export type { MqttMessage } from '../client/mqtt-message.js';
