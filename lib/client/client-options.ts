import type { Observable } from 'rxjs';
import { MAX_PACKET_SIZE } from '../codec/decoder.js';
import type { ConnectPacket, QoS } from '../codec/packet.js';
import type { ConnectProperties, WillProperties } from '../codec/properties.js';
import { InvalidArgumentError } from '../errors.js';
import type { MaximumQoSPolicy } from '../session/check-server-limits.js';
import type { InFlightStore } from '../session/in-flight-store.js';
import type { PacketTraceEvent } from './client-stats.js';
import type { OfflineQueueOptions } from '../session/offline-queue.js';
import type { ReconnectOptions } from '../session/reconnect-with-backoff.js';
import { assertTopicName } from '../session/validate-topic.js';
import { parseBrokerUrl, type BrokerUrl } from '../transport/parse-broker-url.js';
import type { TransportFactory } from '../transport/transport.js';

/** The will message the broker publishes when the client goes away without DISCONNECT. */
export interface WillOptions {
  /** The topic the will is published to (a topic name: no wildcards). */
  readonly topic: string;
  /** The will's payload; a string is sent as UTF-8. */
  readonly payload: string | Uint8Array;
  /** Default 0. */
  readonly qos?: QoS;
  /** Default false. */
  readonly retain?: boolean;
  /** MQTT 5 only. */
  readonly properties?: WillProperties;
}

/** Options of `connect()` and `connectAsync()`. */
export interface ClientOptions {
  /** `ws://host:port/path`, `wss://...`; with `rxmqtt/node` also `mqtt://`, `tcp://`, `mqtts://`, `ssl://`, `tls://`. */
  readonly url?: string;
  /** Opens the connection; overrides `url` (e.g. an in-memory transport in tests). */
  readonly transport?: TransportFactory;
  /** 4 = MQTT 3.1.1 (default), 5 = MQTT 5.0. */
  readonly protocolVersion?: 4 | 5;
  /**
   * The client identifier. When empty or absent: with MQTT 5 the CONNECT carries an empty one and
   * the server assigns one (CONNACK Assigned Client Identifier), which the client adopts for its
   * reconnects (`client.clientId`, the `connected` state); with MQTT 3.1.1 one is generated
   * (`rxmqtt_` and 12 random hex digits), since 3.1.1 servers may refuse an empty identifier.
   */
  readonly clientId?: string;
  /** Clean Session (3.1.1) / Clean Start (5.0). Default true. */
  readonly clean?: boolean;
  /** Keep Alive in seconds, 0 to 65535; 0 turns it off. Default 60. */
  readonly keepalive?: number;
  /** Milliseconds to wait for any packet after a PINGREQ before the connection counts as dead. Default keepalive / 2. */
  readonly pingTimeout?: number;
  /** The user name sent in CONNECT (a `user:pass@` part of the URL fills it when absent). */
  readonly username?: string;
  /** The password sent in CONNECT; a string is sent as UTF-8. MQTT 3.1.1 allows it only with `username`. */
  readonly password?: string | Uint8Array;
  /** The will message the broker publishes when the connection ends without DISCONNECT. */
  readonly will?: WillOptions;
  /**
   * MQTT 5 CONNECT properties (sessionExpiryInterval, receiveMaximum, maximumPacketSize,
   * topicAliasMaximum, userProperties, ...).
   */
  readonly properties?: ConnectProperties;
  /** Milliseconds for opening the connection and receiving CONNACK. Default 30 000. */
  readonly connectTimeout?: number;
  /** A WebSocket constructor for ws:// and wss:// where there is no global one (e.g. the `ws` package). */
  readonly WebSocket?: unknown;
  /**
   * Where QoS 1/2 state in flight is kept. Default: a new MemoryInFlightStore. A persistent store
   * that holds state for the same client identifier makes the client finish those flows after a
   * restart (see docs/reliability.md).
   */
  readonly store?: InFlightStore;
  /**
   * Reconnect policy. On by default: after a connection that had succeeded is lost (transport
   * error, keep alive timeout, server DISCONNECT other than 0x8E Session taken over) the client
   * reconnects with exponential backoff and full jitter (`minDelay` 1000 ms, `maxDelay` 30 000 ms,
   * `maxAttempts` Infinity), never after `disconnect()`. A failed FIRST connection (unreachable
   * broker, refused CONNACK, timeout) is not retried, so `connectAsync` rejects promptly, unless
   * `{ retryInitialConnect: true }` (for apps that may start offline). `false` turns reconnecting
   * off: a lost connection closes the client. Default `true`.
   *
   * @example
   * ```ts
   * connect(url, { reconnect: { retryInitialConnect: true, maxDelay: 10_000 } });
   * ```
   */
  readonly reconnect?: boolean | ReconnectOptions;
  /**
   * Runs before each CONNECT (`attempt` counts connection attempts from 1) and may return fresh
   * `username`, `password` or MQTT 5 `properties` (merged over the configured ones), e.g. a new
   * token. With this hook, a CONNACK refusing the credentials is retried; without it, it is final.
   */
  readonly beforeConnect?: (attempt: number) => ConnectOverrides | void | Promise<ConnectOverrides | void>;
  /** Bounds of the queue of publishes made while not connected. */
  readonly offlineQueue?: OfflineQueueOptions;
  /**
   * The largest packet the client accepts from the server, in bytes (fixed header included), for
   * both protocol versions: a larger one is refused as soon as its fixed header is read, before any
   * of its body is buffered, and closes the connection with DecodeError `DECODE_PACKET_TOO_LARGE`
   * (MQTT 5: DISCONNECT 0x95 first). With MQTT 5 it is announced in CONNECT as Maximum Packet Size,
   * so the server does not send larger packets [MQTT-3.1.2-24]. An integer from 2 to 268 435 460.
   * `properties.maximumPacketSize`, when given, is the same setting (both given must agree).
   * Default 16 MiB (16 777 216 bytes).
   *
   * @example
   * ```ts
   * connect('mqtt://broker', { maximumPacketSize: 256 * 1024 }); // at most 256 KiB per packet
   * ```
   */
  readonly maximumPacketSize?: number;
  /**
   * A packet trace: called synchronously with every packet the client receives (`in`, as it is
   * decoded, before the client acts on it) and sends (`out`, once written to the transport), with
   * the time and the connection number, on every connection including CONNECT/CONNACK. For logs
   * and investigations; keep it cheap, it runs on the hot path. A throw inside it is ignored (a
   * broken trace must not break the connection). Default: none (no cost).
   *
   * @example
   * ```ts
   * connect(url, { trace: (e) => console.log(e.time, e.connection, e.direction, e.packet.type, 'packetId' in e.packet ? e.packet.packetId : '') });
   * ```
   */
  readonly trace?: (event: PacketTraceEvent) => void;
  /**
   * The client's inbound window, for both protocol versions (docs/flow-control.md): at most this
   * many messages delivered and not yet acknowledged per connection. A QoS 1 message holds a unit
   * until its PUBACK left, a QoS 2 message until its PUBCOMP left, a message of an `ack: 'manual'`
   * subscription (any QoS, QoS 0 too) until acked. With MQTT 5 it is announced in CONNECT as
   * Receive Maximum, so a compliant broker stops sending; on both versions, a PUBLISH arriving while
   * the window is full is held and the client stops reading the socket (TCP pushes back on the
   * broker) until acknowledgements free units, so a slow consumer keeps memory bounded and loses
   * nothing. A WebSocket cannot pause: there, what arrives past the window waits in memory.
   * An integer from 1 to 65535. `properties.receiveMaximum`, when given, is the same setting (both
   * given must agree). Default: none (MQTT 5 brokers then assume 65535; nothing is held).
   *
   * @example
   * ```ts
   * connect('mqtt://broker', { receiveMaximum: 20 }); // 3.1.1 and 5.0 alike
   * ```
   */
  readonly receiveMaximum?: number;
  /**
   * MQTT 5 only: a broker that sends more QoS 1/2 messages than `receiveMaximum` allows is
   * disconnected with reason code 0x93 (Receive Maximum exceeded; ProtocolError
   * `RECEIVE_MAXIMUM_EXCEEDED`) instead of being slowed down by pausing the socket. Off by default:
   * Mosquitto 2.0.11 overruns the window once acknowledgements flow, and would be disconnected.
   *
   * @example
   * ```ts
   * connect(url, { protocolVersion: 5, receiveMaximum: 50, strictReceiveMaximum: true });
   * ```
   */
  readonly strictReceiveMaximum?: boolean;
  /**
   * The outbound window: most QoS 1/2 publishes in flight at once (sent and not yet acknowledged
   * with PUBACK or PUBCOMP); the others wait in order. An integer from 1 to 65535.
   *
   * - MQTT 5: the window is the server's Receive Maximum [MQTT-3.3.4-7], or this option when lower.
   *   Default: none (the server's value).
   * - MQTT 3.1.1, where the server announces no limit: default **20**. Mosquitto 2.0 keeps at most
   *   20 unreleased QoS 2 messages per client by default (`max_inflight_messages`) and silently
   *   drops the rest of a burst from a 3.1.1 client (whose PUBREC cannot say so). The cost: one
   *   connection completes at most 20 publishes per round trip (about 2 000/s at 10 ms); raise it
   *   for brokers that accept more.
   *
   * @example
   * ```ts
   * connect('mqtt://broker', { maxInFlight: 100 }); // a 3.1.1 broker known to take 100
   * ```
   */
  readonly maxInFlight?: number;
  /**
   * Moments to check the connection at once: each value makes a connected client send a PINGREQ
   * and wait a short while for any packet (a dead link is found without waiting for the next
   * keep alive), and makes a client waiting to reconnect try at once. Default `pageWakeups()`: a
   * page that becomes visible again, resumes from being frozen, or comes back online (it emits
   * nothing in Node). `false` turns it off; any Observable replaces it (docs/browser.md).
   *
   * @example
   * ```ts
   * connect(url, { wakeups: merge(pageWakeups(), appResumed$) });
   * ```
   */
  readonly wakeups?: Observable<unknown> | false;
  /**
   * MQTT 5: assign topic aliases to the topics published, within the server's Topic Alias Maximum
   * (CONNACK): the first PUBLISH of a topic carries it with an alias, later ones only the alias,
   * which saves the topic's bytes on every message. Least recently used topics give their alias up
   * once all are taken; aliases start afresh on each connection [MQTT-3.3.2-7]. Default true;
   * `false` sends every topic in full and lets you set `properties.topicAlias` yourself.
   *
   * @example
   * ```ts
   * connect(url, { protocolVersion: 5, topicAliases: false });
   * ```
   */
  readonly topicAliases?: boolean;
  /**
   * MQTT 5: what a publish above the server's Maximum QoS (CONNACK) does. `'refuse'` (default) fails
   * it with `InvalidArgumentError` (`argument` `options.qos`, `specRef` `MQTT-3.2.2-11`) before
   * anything is sent, so a QoS the application relies on is never lowered silently; `'downgrade'`
   * sends it at the server's Maximum QoS, and it completes as that QoS does (a QoS 0 publish when
   * the bytes are written). Decided per connection, so a publish queued offline follows the server
   * it is finally sent to.
   *
   * @example
   * ```ts
   * const client = connect(url, { protocolVersion: 5, aboveMaximumQoS: 'downgrade' });
   * await client.publishAsync('t', 'x', { qos: 2 }); // goes as QoS 1 to a server whose Maximum QoS is 1
   * ```
   */
  readonly aboveMaximumQoS?: MaximumQoSPolicy;
}

/**
 * The outbound window a client with `options` sets itself (see {@link ClientOptions.maxInFlight}):
 * the option, or 20 on MQTT 3.1.1, or undefined (the server's Receive Maximum) on MQTT 5. Does not
 * validate (buildConnectPacket does).
 *
 * @example
 * ```ts
 * outboundMaxInFlight({ protocolVersion: 4 }); // 20
 * ```
 */
export function outboundMaxInFlight(options: ClientOptions): number | undefined {
  return options.maxInFlight ?? ((options.protocolVersion ?? 4) === 4 ? 20 : undefined);
}

/**
 * The inbound window of a client with `options` (see {@link ClientOptions.receiveMaximum}), or
 * undefined for none. Does not validate (buildConnectPacket does).
 *
 * @example
 * ```ts
 * inboundReceiveMaximum({ protocolVersion: 5, properties: { receiveMaximum: 10 } }); // 10
 * ```
 */
export function inboundReceiveMaximum(options: ClientOptions): number | undefined {
  return options.receiveMaximum ?? options.properties?.receiveMaximum;
}

/**
 * The default incoming maximum packet size of a client: 16 MiB. A server (hostile or broken) that
 * announces a bigger packet cannot make the client buffer more than this much of it.
 *
 * @example
 * ```ts
 * connect(url, { maximumPacketSize: 4 * DEFAULT_MAXIMUM_PACKET_SIZE }); // for large retained images
 * ```
 */
export const DEFAULT_MAXIMUM_PACKET_SIZE = 16 * 1024 * 1024;

/**
 * The largest packet the client accepts with `options`: `maximumPacketSize`, else MQTT 5
 * `properties.maximumPacketSize`, else {@link DEFAULT_MAXIMUM_PACKET_SIZE}. Does not validate
 * (buildConnectPacket does).
 *
 * @example
 * ```ts
 * incomingMaximumPacketSize({}); // 16 777 216
 * ```
 */
export function incomingMaximumPacketSize(options: ClientOptions): number {
  return options.maximumPacketSize ?? options.properties?.maximumPacketSize ?? DEFAULT_MAXIMUM_PACKET_SIZE;
}

/** What a `beforeConnect` hook may change in the next CONNECT. */
export interface ConnectOverrides {
  /** The user name for this CONNECT, replacing `ClientOptions.username`. */
  readonly username?: string;
  /** The password for this CONNECT, replacing `ClientOptions.password` (e.g. a fresh token). */
  readonly password?: string | Uint8Array;
  /** MQTT 5 CONNECT properties, merged over `ClientOptions.properties`. */
  readonly properties?: ConnectProperties;
}

const encoder = new TextEncoder();

/** Turns a string payload into UTF-8 bytes; throws InvalidArgumentError naming `argument` for other types. */
export function toPayload(payload: unknown, argument: string): Uint8Array {
  if (typeof payload === 'string') return encoder.encode(payload);
  if (payload instanceof Uint8Array) return payload;
  throw new InvalidArgumentError(argument, `expected a string or a Uint8Array, got ${typeName(payload)}`);
}

/** Throws InvalidArgumentError unless `qos` is 0, 1 or 2. */
export function assertQoS(qos: unknown, argument: string): asserts qos is QoS {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new InvalidArgumentError(argument, `must be 0, 1 or 2, got ${String(qos)}`);
}

/**
 * Merges the `(urlOrOptions, options)` arguments of connect() into one options object; credentials
 * in the URL (`mqtt://user:pass@host`) fill `username`/`password` when those options are absent.
 * Throws InvalidArgumentError for arguments of the wrong type or an invalid URL.
 */
export function mergeConnectArguments<O extends ClientOptions>(
  urlOrOptions: unknown,
  options: unknown,
): O & { brokerUrl?: BrokerUrl } {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError('options', `expected an object, got ${typeName(options)}`);
  }
  let merged: O;
  if (typeof urlOrOptions === 'string') merged = { ...(options as O | undefined), url: urlOrOptions } as O;
  else if (urlOrOptions !== null && typeof urlOrOptions === 'object') merged = { ...(urlOrOptions as O), ...(options as object) };
  else {
    throw new InvalidArgumentError('urlOrOptions', `expected a URL string or an options object, got ${typeName(urlOrOptions)}`);
  }
  if (merged.transport !== undefined || merged.url === undefined) return merged;
  const brokerUrl = parseBrokerUrl(merged.url);
  return {
    ...merged,
    username: merged.username ?? brokerUrl.username,
    password: merged.password ?? brokerUrl.password,
    brokerUrl,
  };
}

function randomClientId(): string {
  const bytes = new Uint8Array(6);
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return 'rxmqtt_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function assertOptional(value: unknown, type: string, argument: string): void {
  if (value !== undefined && typeof value !== type) {
    throw new InvalidArgumentError(argument, `expected a ${type}, got ${typeName(value)}`);
  }
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

function assertPositive(value: unknown, argument: string): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0)) {
    throw new InvalidArgumentError(argument, `must be a positive number of milliseconds, got ${String(value)}`);
  }
}

function assertInteger(value: unknown, min: number, max: number, argument: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new InvalidArgumentError(argument, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/**
 * Validates `options` and builds the CONNECT packet. Throws InvalidArgumentError naming the option.
 *
 * @example
 * ```ts
 * const connect = buildConnectPacket({ protocolVersion: 5, keepalive: 30 }); // empty clientId: the server assigns one
 * ```
 */
export function buildConnectPacket(options: ClientOptions): ConnectPacket {
  const protocolVersion = options.protocolVersion ?? 4;
  if (protocolVersion !== 4 && protocolVersion !== 5) {
    throw new InvalidArgumentError('protocolVersion', `must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0), got ${String(protocolVersion)}`);
  }
  assertOptional(options.clientId, 'string', 'clientId');
  assertOptional(options.clean, 'boolean', 'clean');
  assertInteger(options.keepalive, 0, 65535, 'keepalive');
  assertOptional(options.username, 'string', 'username');
  if (options.trace !== undefined && typeof options.trace !== 'function') throw new InvalidArgumentError('trace', 'expected a function (event) => void');
  assertPositive(options.pingTimeout, 'pingTimeout');
  assertPositive(options.connectTimeout, 'connectTimeout');
  const password = options.password === undefined ? undefined : toPayload(options.password, 'password');
  if (protocolVersion === 4 && password !== undefined && options.username === undefined) {
    // [MQTT-3.1.2-22] in 3.1.1 a password needs a user name.
    throw new InvalidArgumentError('password', 'MQTT 3.1.1 allows a password only together with a username', {
      specRef: 'MQTT-3.1.2-22',
    });
  }
  if (options.properties !== undefined && (options.properties === null || typeof options.properties !== 'object')) {
    throw new InvalidArgumentError('properties', 'expected an object of MQTT 5 CONNECT properties');
  }
  if (options.properties !== undefined && protocolVersion !== 5) {
    throw new InvalidArgumentError('properties', 'CONNECT properties need protocolVersion 5');
  }
  const topicAliasMaximum = options.properties?.topicAliasMaximum;
  assertInteger(topicAliasMaximum, 0, 65535, 'properties.topicAliasMaximum');
  assertInteger(options.maximumPacketSize, 2, MAX_PACKET_SIZE, 'maximumPacketSize');
  const announced = options.properties?.maximumPacketSize;
  if (announced !== undefined && options.maximumPacketSize !== undefined && announced !== options.maximumPacketSize) {
    throw new InvalidArgumentError('maximumPacketSize', `differs from properties.maximumPacketSize (${String(announced)}); give one of them`);
  }
  const maximumPacketSize = incomingMaximumPacketSize(options);
  assertInteger(options.receiveMaximum, 1, 65535, 'receiveMaximum');
  const announcedWindow = options.properties?.receiveMaximum;
  if (announcedWindow !== undefined && options.receiveMaximum !== undefined && announcedWindow !== options.receiveMaximum) {
    throw new InvalidArgumentError('receiveMaximum', `differs from properties.receiveMaximum (${String(announcedWindow)}); give one of them`);
  }
  assertOptional(options.strictReceiveMaximum, 'boolean', 'strictReceiveMaximum');
  assertInteger(options.maxInFlight, 1, 65535, 'maxInFlight');
  assertOptional(options.topicAliases, 'boolean', 'topicAliases');
  if (options.aboveMaximumQoS !== undefined && options.aboveMaximumQoS !== 'refuse' && options.aboveMaximumQoS !== 'downgrade') {
    throw new InvalidArgumentError('aboveMaximumQoS', `expected 'refuse' or 'downgrade', got ${typeof options.aboveMaximumQoS === 'string' ? JSON.stringify(options.aboveMaximumQoS) : typeName(options.aboveMaximumQoS)}`);
  }
  const wakeups = options.wakeups as unknown;
  if (wakeups !== undefined && wakeups !== false && !(typeof wakeups === 'object' && wakeups !== null && typeof (wakeups as { subscribe?: unknown }).subscribe === 'function')) {
    throw new InvalidArgumentError('wakeups', `expected an Observable or false, got ${typeName(wakeups)}`);
  }
  if (options.strictReceiveMaximum === true && protocolVersion !== 5) {
    throw new InvalidArgumentError('strictReceiveMaximum', 'is an MQTT 5 feature (3.1.1 has no Receive Maximum): connect with protocolVersion 5');
  }
  const receiveMaximum = inboundReceiveMaximum(options);
  let will: ConnectPacket['will'];
  if (options.will !== undefined) {
    const w = options.will;
    if (w === null || typeof w !== 'object') {
      throw new InvalidArgumentError('will', 'expected { topic, payload, qos?, retain?, properties? }');
    }
    assertTopicName(w.topic, 'will.topic');
    const qos = w.qos ?? 0;
    assertQoS(qos, 'will.qos');
    assertOptional(w.retain, 'boolean', 'will.retain');
    if (w.properties !== undefined && protocolVersion !== 5) {
      throw new InvalidArgumentError('will.properties', 'will properties need protocolVersion 5');
    }
    const payload = toPayload(w.payload, 'will.payload');
    will = { topic: w.topic, payload, qos, retain: w.retain ?? false, properties: w.properties };
  }
  return {
    type: 'connect',
    protocolVersion,
    // MQTT 5 servers assign an identifier to an empty one [MQTT-3.1.3-6]; 3.1.1 servers may refuse an
    // empty one (always with clean session off [MQTT-3.1.3-8]), so 3.1.1 gets a generated one.
    clientId: options.clientId || (protocolVersion === 5 ? '' : randomClientId()),
    cleanStart: options.clean ?? true,
    keepAlive: options.keepalive ?? 60,
    username: options.username,
    password,
    will,
    // MQTT 5: announce the limit we enforce, so the server does not send larger packets [MQTT-3.1.2-24].
    // The inbound window too, so a compliant server does not send past it [MQTT-3.3.4-9].
    properties:
      protocolVersion === 5
        ? { ...options.properties, maximumPacketSize, ...(receiveMaximum === undefined ? {} : { receiveMaximum }) }
        : undefined,
  };
}
