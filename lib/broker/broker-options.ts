import { InvalidArgumentError } from '../errors.js';
import { originPatternProblem } from './origin-policy.js';
import type { AuthenticateHook, AuthorizePublishHook, AuthorizeSubscribeHook, EnhancedAuthMethods } from './auth-hooks.js';
import type { BrokerPersistenceOptions } from './broker-persistence.js';

/**
 * Bounds that keep one broker's memory use predictable. Every field is optional; the defaults are
 * listed beside each field and in {@link DEFAULT_BROKER_LIMITS}.
 *
 * @example
 * ```ts
 * await startBroker({ port: 0, limits: { maxQueuedMessages: 100, maxInflight: 16 } });
 * ```
 */
export interface BrokerLimits {
  /**
   * QoS 1 and 2 messages held per session beyond the in-flight window (default 1000). While an
   * online session's queue is full, publishers to it are held back (for at most `slowClientTimeout`);
   * an offline session's newer messages are dropped, each reported in a `messagesDropped` event.
   */
  readonly maxQueuedMessages?: number;
  /** Outbound QoS 1 and 2 messages awaiting acknowledgement per client (default 256; an MQTT 5 client's Receive Maximum lowers it). */
  readonly maxInflight?: number;
  /** Largest packet accepted from a client, in bytes (default 1 MiB). Announced to MQTT 5 clients. */
  readonly maxPacketSize?: number;
  /**
   * Sessions held at once, online and offline (default 10 000). When a new client wants a session
   * kept after it leaves and the limit is reached, the session whose client left first is evicted
   * (its undelivered messages are dropped and reported in a `sessionEnded` event). Only when every
   * stored session is online is such a client refused (CONNACK 0x03 on 3.1.1, 0x97 on 5.0). A client
   * whose session ends with its connection (Clean Session 1, or 5.0 Session Expiry 0) is never
   * refused for this limit and evicts nothing: `maxConnections` bounds those.
   */
  readonly maxSessions?: number;
  /**
   * Open connections at once, including those that have not sent CONNECT yet (default 10 000).
   * A connection beyond it is closed before anything is read (a `connectionRefused` event).
   */
  readonly maxConnections?: number;
  /**
   * Seconds a 3.1.1 persistent session (Clean Session 0) outlives its connection (default 86 400,
   * one day; 0xFFFFFFFF: never expires). 3.1.1 has no Session Expiry Interval of its own.
   * `maxSessionExpiryInterval` caps it too.
   */
  readonly sessionExpiry311?: number;
  /**
   * Subscriptions one session may hold (default 1000). A SUBSCRIBE for a new filter beyond it is
   * refused in its SUBACK slot (0x80 on 3.1.1, 0x97 Quota exceeded on 5.0); re-subscribing to a
   * filter the session holds is always allowed.
   */
  readonly maxSubscriptionsPerClient?: number;
  /**
   * Bytes the broker may hand a connection's transport after it reported a full send buffer
   * (`send()` returned false), before `writable$` says it drained (default 1 MiB). Beyond it, the
   * client counts as slow: QoS 0 messages for it are dropped (a `messagesDropped` event with reason
   * `slowClient`) and QoS 1/2 messages wait in its session's queue (`maxQueuedMessages`).
   */
  readonly outboundBudget?: number;
  /**
   * Milliseconds a connection may stay over its `outboundBudget` before it is closed (default
   * 30 000; 5.0: DISCONNECT 0x97 Quota exceeded). Its session stays, per its expiry.
   */
  readonly slowClientTimeout?: number;
  /** Inbound QoS 2 messages an MQTT 5 client may have unreleased at once (default 65535, the protocol maximum), announced as Receive Maximum. */
  readonly receiveMaximum?: number;
  /** Topic aliases an MQTT 5 client may use towards the broker (default 64). */
  readonly topicAliasMaximum?: number;
  /** Milliseconds a new connection may take to send CONNECT (default 10 000). */
  readonly connectTimeout?: number;
  /** Largest session expiry interval granted, in seconds (default: no cap). */
  readonly maxSessionExpiryInterval?: number;
  /**
   * Assign topic aliases to the topics sent to MQTT 5 clients that allow them (their CONNECT's
   * Topic Alias Maximum): the first that many distinct topics of a connection get one. Default true.
   */
  readonly outboundTopicAliases?: boolean;
  /** When set, the keep alive (seconds) the broker imposes on every MQTT 5 client (Server Keep Alive). */
  readonly serverKeepAlive?: number;
  /**
   * The longest keep alive (seconds) a client may use, like Mosquitto's `max_keepalive`. An MQTT 5
   * client asking for more, or for 0 (none), is told this value as Server Keep Alive
   * [MQTT-3.2.2-21]; one asking for less keeps its own. MQTT 3.1.1 cannot be told another value,
   * so a 3.1.1 client asking for more or for 0 is refused with CONNACK 0x02 (the code Mosquitto
   * uses). Default: no ceiling.
   */
  readonly maxKeepAlive?: number;
  /**
   * Most levels a topic name or filter from a client may have (default 128). A deeper SUBSCRIBE
   * filter is refused (SUBACK 0x80 on 3.1.1, 0x8F on 5.0); a deeper PUBLISH topic or will topic is a
   * protocol error that closes that client's connection only (5.0: reason 0x90 Topic Name invalid).
   * At most 65 536 (a topic is at most 65 535 bytes).
   */
  readonly maxTopicLevels?: number;
}

/**
 * The limits in force when none are given.
 *
 * @example
 * ```ts
 * console.log(DEFAULT_BROKER_LIMITS.maxQueuedMessages); // 1000
 * ```
 */
export const DEFAULT_BROKER_LIMITS: Required<Omit<BrokerLimits, 'serverKeepAlive' | 'maxKeepAlive' | 'maxSessionExpiryInterval'>> = {
  maxQueuedMessages: 1000,
  maxInflight: 256,
  maxPacketSize: 1024 * 1024,
  maxSessions: 10000,
  maxConnections: 10000,
  sessionExpiry311: 86400,
  maxSubscriptionsPerClient: 1000,
  outboundBudget: 1024 * 1024,
  slowClientTimeout: 30000,
  receiveMaximum: 65535,
  topicAliasMaximum: 64,
  outboundTopicAliases: true,
  connectTimeout: 10000,
  maxTopicLevels: 128,
};

/** Limits after defaults are applied. */
export interface ResolvedLimits {
  readonly maxQueuedMessages: number;
  readonly maxInflight: number;
  readonly maxPacketSize: number;
  readonly maxSessions: number;
  readonly maxConnections: number;
  readonly sessionExpiry311: number;
  readonly maxSubscriptionsPerClient: number;
  readonly outboundBudget: number;
  readonly slowClientTimeout: number;
  readonly receiveMaximum: number;
  readonly topicAliasMaximum: number;
  readonly outboundTopicAliases: boolean;
  readonly connectTimeout: number;
  readonly maxTopicLevels: number;
  readonly maxSessionExpiryInterval: number | undefined;
  readonly serverKeepAlive: number | undefined;
  readonly maxKeepAlive: number | undefined;
}

/**
 * The TLS listener's settings: PEM strings or bytes as accepted by `tls.createServer`.
 *
 * @example
 * ```ts
 * await startBroker({ port: 0, tls: { port: 0, key: readFileSync('server.key', 'utf8'), cert: readFileSync('server.crt', 'utf8') } });
 * ```
 */
export interface BrokerTlsOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The server's private key (PEM). */
  readonly key: string | Uint8Array;
  /** The server's certificate chain (PEM). */
  readonly cert: string | Uint8Array;
  /** CA certificates (PEM) that client certificates are verified against. */
  readonly ca?: string | Uint8Array;
  /** Ask clients for a certificate (verified against `ca`). */
  readonly requestCert?: boolean;
}

/**
 * The WebSocket listener's settings.
 *
 * @example
 * ```ts
 * // Pages on this machine (any port) and one web app may connect; programs without an Origin always may.
 * await startBroker({ port: 0, websocket: { port: 0, allowedOrigins: [...DEFAULT_ALLOWED_ORIGINS, 'https://app.example.com'] } });
 * ```
 */
export interface BrokerWebSocketOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Only upgrades on this path (default: any path). */
  readonly path?: string;
  /**
   * The `Origin`s whose pages may connect (default {@link DEFAULT_ALLOWED_ORIGINS}: http and https
   * pages from localhost, 127.0.0.1 and [::1] on any port). Each entry is `*` (any page), `null`
   * (file: pages, sandboxed frames), an origin such as `https://app.example.com`, or one with port
   * `*`. An upgrade from any other Origin gets HTTP 403. Requests without an Origin header (programs,
   * not browsers) are always accepted.
   */
  readonly allowedOrigins?: readonly string[];
}

/**
 * Options of {@link startBroker}.
 *
 * @example
 * ```ts
 * await startBroker({ port: 0, websocket: { port: 0 }, authenticate: ({ username }) => username !== undefined });
 * ```
 */
export interface BrokerOptions {
  /** TCP port of the plain MQTT listener; 0 picks a free port. */
  readonly port: number;
  /** Interface to listen on (default 127.0.0.1, loopback only). */
  readonly host?: string;
  /** Adds a WebSocket listener (subprotocol `mqtt`); needs the optional `ws` package. */
  readonly websocket?: BrokerWebSocketOptions;
  /** Adds a TLS listener. */
  readonly tls?: BrokerTlsOptions;
  /** Decides whether a client may connect. Absent: everyone may. */
  readonly authenticate?: AuthenticateHook;
  /**
   * MQTT 5 enhanced authentication (section 4.12): a hook per Authentication Method. A CONNECT
   * naming one of these methods runs its exchange (AUTH 0x18 challenges until it accepts with CONNACK
   * 0x00 or refuses, by default with 0x87) instead of `authenticate`; a CONNECT naming another
   * method is refused with 0x8C Bad authentication method. Re-authentication (AUTH 0x19) runs the
   * hook of the connection's method again: success answers AUTH 0x00, failure disconnects with 0x87.
   * Absent: every CONNECT with an Authentication Method is refused with 0x8C.
   *
   * @example
   * ```ts
   * await startBroker({ port: 0, enhancedAuth: { 'SCRAM-SHA-256': scramSha256Server({ lookup: (name) => users.get(name) }) } });
   * ```
   */
  readonly enhancedAuth?: EnhancedAuthMethods;
  /** Decides whether a client may publish to a topic. Absent: everyone may. */
  readonly authorizePublish?: AuthorizePublishHook;
  /** Decides whether a client may subscribe to a filter. Absent: everyone may. */
  readonly authorizeSubscribe?: AuthorizeSubscribeHook;
  /** Memory and protocol bounds. */
  readonly limits?: BrokerLimits;
  /**
   * Seconds between updates of the `$SYS/broker/...` statistics topics (retained, QoS 0; a topic is
   * published only when its value changed). Default 0: off, so a broker started inside a test
   * holds only the test's retained messages. `rxmqtt broker` turns them on every 10 s.
   */
  readonly sysInterval?: number;
  /**
   * Keep persistent sessions (with their subscriptions and queued and in-flight QoS 1/2 messages)
   * and retained messages in `persistence.dir` across restarts, a `kill -9` included. Absent: all
   * state lives in memory only.
   */
  readonly persistence?: BrokerPersistenceOptions;
}

function checkPort(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError(name, `must be an integer port from 0 to 65535, got ${String(value)}`);
  }
}

function checkCount(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function checkPersistence(p: BrokerPersistenceOptions | undefined): void {
  if (p === undefined) return;
  if (typeof p !== 'object' || p === null) throw new InvalidArgumentError('options.persistence', 'must be an object such as { dir: "./data" }');
  if (typeof p.dir !== 'string' || p.dir === '') throw new InvalidArgumentError('options.persistence.dir', 'must be a non-empty directory path');
  const fsync: unknown = p.fsync;
  if (fsync !== undefined && fsync !== 'always' && fsync !== 'never' && !(typeof fsync === 'number' && Number.isInteger(fsync) && fsync >= 1 && fsync <= 2 ** 31 - 1)) {
    throw new InvalidArgumentError('options.persistence.fsync', `must be 'always', 'never' or a whole number of milliseconds, got ${String(fsync)}`);
  }
  checkCount('options.persistence.compactAfter', p.compactAfter, 1, 2 ** 31);
}

/** Checks user-supplied broker options and applies the default limits; throws InvalidArgumentError. */
export function resolveBrokerOptions(options: BrokerOptions): ResolvedLimits {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object such as { port: 0 }');
  checkPort('options.port', options.port);
  checkCount('options.sysInterval', options.sysInterval, 0, 86_400);
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new InvalidArgumentError('options.host', 'must be a non-empty string');
  }
  if (options.websocket !== undefined) {
    checkPort('options.websocket.port', options.websocket.port);
    const origins: unknown = options.websocket.allowedOrigins;
    if (origins !== undefined) {
      if (!Array.isArray(origins)) throw new InvalidArgumentError('options.websocket.allowedOrigins', 'must be an array of origins');
      origins.forEach((o: unknown, i) => {
        const problem = originPatternProblem(o);
        if (problem !== undefined) throw new InvalidArgumentError(`options.websocket.allowedOrigins[${i}]`, `${problem}, got ${JSON.stringify(o)}`);
      });
    }
  }
  if (options.tls !== undefined) {
    checkPort('options.tls.port', options.tls.port);
    if (options.tls.key === undefined || options.tls.cert === undefined) {
      throw new InvalidArgumentError('options.tls', 'needs both key and cert (PEM)');
    }
  }
  for (const hook of ['authenticate', 'authorizePublish', 'authorizeSubscribe'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new InvalidArgumentError(`options.${hook}`, 'must be a function');
    }
  }
  if (options.enhancedAuth !== undefined) {
    if (options.enhancedAuth === null || typeof options.enhancedAuth !== 'object') throw new InvalidArgumentError('options.enhancedAuth', 'expected { [method]: (request) => exchange }');
    for (const [method, hook] of Object.entries(options.enhancedAuth)) {
      if (typeof hook !== 'function') throw new InvalidArgumentError(`options.enhancedAuth.${method}`, 'must be a function (request) => exchange');
    }
  }
  checkPersistence(options.persistence);
  const l = options.limits ?? {};
  checkCount('limits.maxQueuedMessages', l.maxQueuedMessages, 0, 2 ** 31);
  checkCount('limits.maxInflight', l.maxInflight, 1, 65535);
  checkCount('limits.maxPacketSize', l.maxPacketSize, 64, 268435460);
  checkCount('limits.maxSessions', l.maxSessions, 1, 2 ** 31);
  checkCount('limits.maxConnections', l.maxConnections, 1, 2 ** 31);
  checkCount('limits.sessionExpiry311', l.sessionExpiry311, 0, 0xffffffff);
  checkCount('limits.maxSubscriptionsPerClient', l.maxSubscriptionsPerClient, 1, 2 ** 31);
  checkCount('limits.outboundBudget', l.outboundBudget, 0, 2 ** 31);
  checkCount('limits.slowClientTimeout', l.slowClientTimeout, 1, 2 ** 31);
  checkCount('limits.receiveMaximum', l.receiveMaximum, 1, 65535);
  checkCount('limits.topicAliasMaximum', l.topicAliasMaximum, 0, 65535);
  if (l.outboundTopicAliases !== undefined && typeof l.outboundTopicAliases !== 'boolean') {
    throw new InvalidArgumentError('limits.outboundTopicAliases', `must be a boolean, got ${String(l.outboundTopicAliases)}`);
  }
  checkCount('limits.connectTimeout', l.connectTimeout, 1, 2 ** 31);
  checkCount('limits.maxSessionExpiryInterval', l.maxSessionExpiryInterval, 0, 0xffffffff);
  checkCount('limits.serverKeepAlive', l.serverKeepAlive, 0, 65535);
  checkCount('limits.maxKeepAlive', l.maxKeepAlive, 1, 65535);
  checkCount('limits.maxTopicLevels', l.maxTopicLevels, 1, 65536);
  return {
    ...DEFAULT_BROKER_LIMITS,
    ...Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)),
    maxSessionExpiryInterval: l.maxSessionExpiryInterval,
    serverKeepAlive: l.serverKeepAlive,
    maxKeepAlive: l.maxKeepAlive,
  } as ResolvedLimits;
}
