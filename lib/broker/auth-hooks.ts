import type { ServerAuthMethod } from '../auth/authentication.js';
import type { QoS } from '../codec/packet.js';

export type { ServerAuthExchange, ServerAuthMethod, ServerAuthRequest, ServerAuthStep } from '../auth/authentication.js';

/**
 * The broker's MQTT 5 enhanced authentication methods, by Authentication Method name (see
 * `BrokerOptions.enhancedAuth`).
 *
 * @example
 * ```ts
 * const enhancedAuth: EnhancedAuthMethods = { 'SCRAM-SHA-256': scramSha256Server({ lookup: (name) => users.get(name) }) };
 * ```
 */
export type EnhancedAuthMethods = Readonly<Record<string, ServerAuthMethod>>;

/** What {@link AuthenticateHook} is told about a connecting client. */
export interface AuthenticateRequest {
  /** The identifier in the CONNECT (may be empty on MQTT 5). */
  readonly clientId: string;
  /** The CONNECT username, if any. */
  readonly username: string | undefined;
  /** The CONNECT password bytes, if any. */
  readonly password: Uint8Array | undefined;
  /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. */
  readonly protocolVersion: 4 | 5;
}

/**
 * The answer of an authentication hook: `true` accepts, `false` refuses as "not authorized"
 * (CONNACK 0x05 in 3.1.1, 0x87 in 5.0), and `{ reasonCode }` refuses with that code (for example
 * 0x04 / 0x86 for a bad user name or password).
 */
export type AuthenticateResult =
  | boolean
  | {
      /** The CONNACK code to refuse with (3.1.1 return code or 5.0 reason code). */
      readonly reasonCode: number;
    };

/**
 * Decides whether a client may connect. May be async. A hook that throws or rejects refuses the
 * client as "not authorized".
 *
 * @example
 * ```ts
 * const authenticate: AuthenticateHook = ({ username, password }) =>
 *   username === 'alice' && new TextDecoder().decode(password) === 'secret';
 * ```
 */
export type AuthenticateHook = (request: AuthenticateRequest) => AuthenticateResult | Promise<AuthenticateResult>;

/** What {@link AuthorizePublishHook} is told about a PUBLISH. */
export interface AuthorizePublishRequest {
  /** The publishing client. */
  readonly clientId: string;
  /** Its CONNECT username, if any. */
  readonly username: string | undefined;
  /** The topic it publishes to (topic alias resolved). */
  readonly topic: string;
  /** The message bytes. */
  readonly payload: Uint8Array;
  /** The QoS of the PUBLISH. */
  readonly qos: QoS;
  /** True for a retained publish. */
  readonly retain: boolean;
}

/**
 * Decides whether a client may publish. May be async. A refused message is dropped (MQTT 5 clients
 * get PUBACK/PUBREC 0x87 at QoS 1/2). A hook that throws refuses.
 *
 * @example
 * ```ts
 * const authorizePublish: AuthorizePublishHook = ({ topic }) => !topic.startsWith('admin/');
 * ```
 */
export type AuthorizePublishHook = (request: AuthorizePublishRequest) => boolean | Promise<boolean>;

/** What {@link AuthorizeSubscribeHook} is told about one topic filter of a SUBSCRIBE. */
export interface AuthorizeSubscribeRequest {
  /** The subscribing client. */
  readonly clientId: string;
  /** Its CONNECT username, if any. */
  readonly username: string | undefined;
  /** The filter as sent, including a `$share/group/` prefix. */
  readonly topicFilter: string;
  /** The QoS it asks for. */
  readonly qos: QoS;
}

/**
 * Decides whether a client may subscribe to a filter. May be async. Refused filters get SUBACK 0x80
 * (3.1.1) or 0x87 (5.0). A hook that throws refuses.
 *
 * @example
 * ```ts
 * const authorizeSubscribe: AuthorizeSubscribeHook = ({ topicFilter }) => topicFilter !== '#';
 * ```
 */
export type AuthorizeSubscribeHook = (request: AuthorizeSubscribeRequest) => boolean | Promise<boolean>;

/**
 * Calls a hook and normalises its outcome: a value, or a promise of one; a throw or rejection
 * becomes `onError`'s value. Returns the plain value when the hook answered synchronously so the
 * common path stays synchronous.
 */
export function callHook<R, T>(hook: (request: R) => T | Promise<T>, request: R, onError: T): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = hook(request);
  } catch {
    return onError;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return Promise.resolve(result).then(
      (value) => value,
      () => onError,
    );
  }
  return result;
}
