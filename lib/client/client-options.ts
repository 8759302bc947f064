import type { Observable } from 'rxjs';
import type { QoS } from '../codec/packet.js';
import type { ConnectProperties, WillProperties } from '../codec/properties.js';
import { InvalidArgumentError } from '../errors.js';
import type { ClientAuthentication } from '../auth/authentication.js';
import type { MaximumQoSPolicy } from '../session/check-server-limits.js';
import type { InFlightStore } from '../session/in-flight-store.js';
import type { PacketTraceEvent } from './client-stats.js';
import type { OfflineQueueOptions } from '../session/offline-queue.js';
import type { ReconnectOptions } from '../session/reconnect-with-backoff.js';
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
  /**
   * Several brokers of one cluster, instead of `url`: the first connection goes to the first, and
   * each reconnect attempt to the next one, cycling, with the `reconnect` backoff between attempts.
   * The client has no session on a server it moves to (Session Present 0) and starts a fresh one,
   * re-subscribing its subscriptions (docs/reliability.md, "Failover"). A failed first attempt moves
   * on too (`reconnect.retryInitialConnect` defaults to true here). Credentials in the URLs are not
   * used: give `username`/`password`.
   *
   * @example
   * ```ts
   * connect({ servers: ['mqtt://node-a:1883', 'mqtt://node-b:1883'], protocolVersion: 5 });
   * ```
   */
  readonly servers?: readonly string[];
  /**
   * MQTT 5: follow a Server Reference. A CONNACK or DISCONNECT with reason code 0x9C (Use another
   * server) or 0x9D (Server moved) may name another server (`host[:port]`, space-separated when
   * several); with this option the next attempt goes to the first one named (same protocol, and
   * the current port when none is given). Default false. Either way the reference is in `state$`:
   * the `reconnecting` state's `cause` (ConnectRefusedError or ConnectionClosedError) carries it
   * as `serverReference`. With this option a refused first attempt is retried too
   * (`reconnect.retryInitialConnect` defaults to true).
   *
   * @example
   * ```ts
   * connect('mqtt://node-a:1883', { protocolVersion: 5, followServerReference: true });
   * ```
   */
  readonly followServerReference?: boolean;
  /**
   * Rewrites the broker URL before each connection attempt, for brokers that want presigned URLs
   * (AWS IoT Core over WebSocket signs the query with SigV4, and a signature expires): called with
   * the configured URL (or the server of the attempt, with `servers`) and the attempt number (1, 2,
   * ...), it returns the URL to open, or a Promise of it. A rejection fails that attempt with
   * MqttError `SIGN_URL_FAILED` (retried like a failed connection); an invalid URL with
   * InvalidArgumentError naming `signUrl` (not retried).
   *
   * @example
   * ```ts
   * connect('wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt', { signUrl: async (url) => presign(url, await credentials()) });
   * ```
   */
  readonly signUrl?: (url: string, attempt: number) => string | Promise<string>;
  /**
   * WebSocket subprotocols offered on `ws://` and `wss://`; must include `'mqtt'` [MQTT-6.0.0-3].
   * Default `['mqtt']`.
   *
   * @example
   * ```ts
   * connect('wss://broker.example.com/mqtt', { wsProtocols: ['mqtt', 'mqttv3.1'] });
   * ```
   */
  readonly wsProtocols?: readonly string[];
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
  /**
   * MQTT 5 only: enhanced authentication (MQTT 5.0 section 4.12). `method` and `data` go into the
   * CONNECT as Authentication Method and Data (`data` is read again for each connection attempt);
   * each AUTH 0x18 (Continue authentication) from the server is answered with `onChallenge`'s data;
   * the CONNACK's Authentication Data is handed to `onChallenge` with reason code 0x00.
   * `client.reauthenticate()` runs the exchange again on a live connection. A refusing CONNACK
   * (0x87 Not authorized, 0x8C Bad authentication method, ...) fails the connection with
   * ConnectRefusedError; an `onChallenge` that throws fails it with `MqttError` code `AUTH_FAILED`.
   * `scramSha256Client()` gives one for SCRAM-SHA-256.
   *
   * @example
   * ```ts
   * connect('mqtt://broker', { protocolVersion: 5, authentication: scramSha256Client({ username: 'alice', password: 'pencil' }) });
   * ```
   */
  readonly authentication?: ClientAuthentication;
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
   * How many times one QoS 1/2 message is sent again after connections lost before its
   * acknowledgement (PUBLISH with DUP on a resumed session, or as new without one). Past that the
   * publish fails with ConnectionClosedError code `RESEND_LIMIT`, and the rest of the queue goes
   * on: a server that closes the connection because of one message (NATS closes it on a QoS 2
   * PUBLISH) would otherwise make the client resend it after every reconnect, forever. An integer
   * >= 0, or `Infinity` for no limit. Default 5 (six sends in all). A QoS 2 message the server has
   * taken (PUBREC) is not limited: its PUBREL is resent until PUBCOMP.
   *
   * @example
   * ```ts
   * connect(url, { maxResends: Infinity }); // keep resending through any number of lost connections
   * ```
   */
  readonly maxResends?: number;
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


function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

