/**
 * `rxmqtt`: the browser-safe entry.
 */
export * from './codec/index.js';
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
  StoreError,
  type MqttErrorOptions,
} from './errors.js';
