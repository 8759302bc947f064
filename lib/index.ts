/**
 * `rxmqtt`: the browser-safe entry. The codec, the RxJS operators, the reactive client, the
 * browser-safe transports (WebSocket, in-memory) and the typed errors.
 *
 * Node users import `connect` from `rxmqtt/node` instead, which adds `mqtt://` and `mqtts://`.
 *
 * @example
 * ```ts
 * import { connect } from 'rxmqtt';
 * const client = connect('wss://broker.example.com/mqtt');
 * client.subscribe('sensors/+/temperature', { qos: 1 }).subscribe((m) => console.log(m.topic, m.text()));
 * ```
 *
 * @module rxmqtt
 */
// The codec, named (the packet model is types only).
export type * from './codec/packet.js';
export type * from './codec/properties.js';
export { encode, type EncodeOptions } from './codec/encode.js';
export { PacketDecoder, MAX_PACKET_SIZE, type DecoderOptions } from './codec/decoder.js';
export { topicNameProblem, topicFilterProblem, isSharedFilter } from './codec/topic.js';
export { reasonCodeName, isValidReasonCode, REASON_CODE_NAMES, CONNECT_RETURN_CODE_NAMES } from './codec/reason-codes.js';
export { PROPERTIES, type PropertyDefinition } from './codec/property-table.js';

export {
  decodePackets,
  encodePackets,
  ofType,
  ackAfter,
  type AckAfterOptions,
  type AckAfterFailure,
  type Acknowledgeable,
} from './operators/index.js';

export { connect, connectAsync } from './client/connect.js';
export type { ClientOptions, WillOptions, ConnectOverrides } from './client/client-options.js';
export type { ClientAuthentication } from './auth/authentication.js';
export { scramSha256Client, type ScramClientOptions } from './auth/scram-sha256-client.js';
export type { ClientStats, PacketTraceEvent } from './client/client-stats.js';
export type { BackoffBounds } from './session/backoff-delay.js';
export type { ReconnectOptions } from './session/reconnect-with-backoff.js';
export type { OfflineQueueOptions } from './session/offline-queue.js';
export type { MaximumQoSPolicy } from './session/check-server-limits.js';
export {
  whenConnected,
  type MqttClient,
  type ClientState,
  type SubscribeOptions,
  type PublishOptions,
  type DisconnectOptions,
} from './client/mqtt-client.js';
export type { MqttMessage } from './client/mqtt-message.js';
export { json, jsonPayload, type JsonMessage, type JsonOptions } from './client/json.js';
export { request, respond, type Reply, type RequestOptions, type RespondOptions } from './client/request-response.js';
export { topicPattern, type TopicPattern, type PatternParams } from './session/topic-pattern.js';

export { MemoryInFlightStore } from './session/memory-in-flight-store.js';
export { IndexedDbInFlightStore, type IndexedDbInFlightStoreOptions } from './session/indexed-db-in-flight-store.js';
export type { InFlightStore, OutboundEntry, OutboundState } from './session/in-flight-store.js';

export type { Transport, TransportFactory } from './transport/transport.js';
export {
  memoryTransportPair,
  memoryTransportFactory,
  type MemoryTransport,
  type MemoryTransportOptions,
  type MemoryTransportScheduler,
} from './transport/memory-transport.js';
export {
  webSocketTransport,
  type WebSocketTransportOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from './transport/web-socket-transport.js';
export { pageWakeups, type PageWakeup, type PageWakeupTarget, type WakeupEventSource } from './transport/page-wakeups.js';

export {
  MqttError,
  DecodeError,
  EncodeError,
  InvalidArgumentError,
  ProtocolError,
  ConnectRefusedError,
  SubscribeRefusedError,
  PublishFailedError,
  ConnectionClosedError,
  TimeoutError,
  TransportError,
  QueueFullError,
  MessageExpiredError,
  StoreError,
  StoreCorruptError,
  PayloadError,
  type MqttErrorOptions,
} from './errors.js';
