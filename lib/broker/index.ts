/**
 * `rxmqtt/broker` (Node): an embedded MQTT 3.1.1 + 5.0 broker for tests, development and demos.
 *
 * @example
 * ```ts
 * import { startBroker } from 'rxmqtt/broker';
 * const broker = await startBroker({ port: 0 });
 * console.log(broker.url); // mqtt://127.0.0.1:54321
 * await broker.close();
 * ```
 *
 * @module rxmqtt/broker
 */
export { startBroker, type BrokerHandle } from './start-broker.js';
export { DEFAULT_BROKER_LIMITS, type BrokerOptions, type BrokerLimits, type BrokerTlsOptions, type BrokerWebSocketOptions } from './broker-options.js';
export type { BrokerPersistenceOptions } from './broker-persistence.js';
export { DEFAULT_ALLOWED_ORIGINS } from './origin-policy.js';
export { parsePasswordFile, passwordFileAuthenticator, type PasswordFile } from './password-file.js';
export { parseAclFile, aclHooks, type AclFile, type AclClient, type AclHooks } from './acl-file.js';
export type {
  AuthenticateHook,
  AuthenticateRequest,
  AuthenticateResult,
  AuthorizePublishHook,
  AuthorizePublishRequest,
  AuthorizeSubscribeHook,
  AuthorizeSubscribeRequest,
  EnhancedAuthMethods,
  ServerAuthExchange,
  ServerAuthMethod,
  ServerAuthRequest,
  ServerAuthStep,
} from './auth-hooks.js';
export { scramSha256Server, deriveScramCredentials, type ScramCredentials, type ScramServerOptions, type DeriveScramOptions } from '../auth/scram-sha256-server.js';
export type {
  BrokerEvent,
  ClientConnectedEvent,
  ClientDisconnectedEvent,
  PublishedEvent,
  SubscribedEvent,
  UnsubscribedEvent,
  ConnectionErrorEvent,
  MessagesDroppedEvent,
  SessionEndedEvent,
  ConnectionRefusedEvent,
} from './broker-events.js';
