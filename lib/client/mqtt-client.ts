import { filter, firstValueFrom, type Observable } from 'rxjs';
import type { ConnackPacket, QoS } from '../codec/packet.js';
import type { DisconnectProperties, PublishProperties, SubscribeProperties } from '../codec/properties.js';
import { ConnectionClosedError, type MqttError } from '../errors.js';
import type { ClientStats } from './client-stats.js';
import type { MqttMessage } from './mqtt-message.js';
import type { TopicPattern } from '../session/topic-pattern.js';

/** Where the client is: replayed to every new subscriber of `state$`. */
export type ClientState =
  | {
      /** Opening the transport and waiting for CONNACK (the first connection). */
      readonly status: 'connecting';
    }
  | {
      /** CONNACK accepted the connection. */
      readonly status: 'connected';
      /** True when the broker resumed a stored session (subscriptions and in-flight messages kept). */
      readonly sessionPresent: boolean;
      /** The CONNACK, with the MQTT 5 limits the broker announced (Receive Maximum, Maximum QoS, ...). */
      readonly connack: ConnackPacket;
      /** The identifier in use (with MQTT 5 possibly assigned by the server). */
      readonly clientId: string;
    }
  | {
      /** The connection was lost (or an attempt failed); a new attempt follows after `delay`. */
      readonly status: 'reconnecting';
      /** The attempt that follows: 1 for the first since the connection was lost. */
      readonly attempt: number;
      /** Milliseconds until that attempt. */
      readonly delay: number;
      /** Why the connection was lost or the last attempt failed. */
      readonly cause: MqttError;
    }
  | {
      /** `disconnect()` is waiting for in-flight flows before sending DISCONNECT. */
      readonly status: 'disconnecting';
    }
  | {
      /** For good: after `disconnect()`, a refused connection, or a loss without reconnecting. */
      readonly status: 'closed';
      /** What closed it; undefined after `disconnect()`. */
      readonly error?: MqttError;
    };

/** Options of {@link MqttClient.subscribe}. */
export interface SubscribeOptions {
  /** Maximum QoS, default 0. */
  readonly qos?: QoS;
  /** MQTT 5: do not receive own publishes. */
  readonly noLocal?: boolean;
  /** MQTT 5: keep the RETAIN flag as published. */
  readonly retainAsPublished?: boolean;
  /** MQTT 5: 0 send retained messages (default), 1 only for a new subscription, 2 never. */
  readonly retainHandling?: 0 | 1 | 2;
  /** MQTT 5: subscription identifier and user properties. */
  readonly properties?: SubscribeProperties;
  /**
   * Who acknowledges this observer's messages (docs/flow-control.md). `'auto'` (default): a message
   * counts as acknowledged once delivered to this observer. `'manual'`: each message has to be
   * acknowledged with `message.ack()`; its PUBACK (QoS 1) or PUBREC (QoS 2) leaves only once every
   * manual observer of it acked it, in the order the messages arrived [MQTT-4.6.0-2]
   * [MQTT-4.6.0-3]. A message not acked when the connection drops is never acknowledged (a
   * persistent session gets it again). A manual observer that unsubscribes (or ends) while holding
   * unacked messages makes the client recycle the connection (ConnectionClosedError
   * `UNACKED_ABANDONED`, then a reconnect as for any lost connection), so later acknowledgements
   * are never stalled and the broker sends those messages again.
   *
   * @example
   * ```ts
   * client.subscribe('jobs/#', { qos: 1, ack: 'manual' }).pipe(ackAfter((m) => save(m))).subscribe();
   * ```
   */
  readonly ack?: 'auto' | 'manual';
}

/** Options of {@link MqttClient.publish}. */
export interface PublishOptions {
  /** Default 0. */
  readonly qos?: QoS;
  /** Default false. */
  readonly retain?: boolean;
  /** MQTT 5 properties (user properties, content type, message expiry, response topic, ...). */
  readonly properties?: PublishProperties;
}

/** Options of {@link MqttClient.disconnect}. */
export interface DisconnectOptions {
  /** Longest wait in milliseconds for in-flight flows before DISCONNECT is sent anyway. Default 10 000. */
  readonly timeout?: number;
  /** MQTT 5 reason code, e.g. 0x04 to have the broker publish the will. Default 0. */
  readonly reasonCode?: number;
  /** MQTT 5 DISCONNECT properties (sessionExpiryInterval, reasonString, userProperties). */
  readonly properties?: DisconnectProperties;
}

/**
 * A connection to an MQTT broker, made by `connect()` or `connectAsync()`. See docs/client.md.
 *
 * @example
 * ```ts
 * const client = await connectAsync('mqtt://localhost:1883');
 * client.subscribe('a/#', { qos: 1 }).subscribe((m) => console.log(m.topic, m.text()));
 * await client.publishAsync('a/b', 'hello', { qos: 1 });
 * await client.disconnect();
 * ```
 */
export interface MqttClient {
  /**
   * Hot: replays the current state to each subscriber; subscribing sends nothing; completes after `closed`.
   *
   * @example
   * ```ts
   * client.state$.subscribe((s) => {
   *   if (s.status === 'reconnecting') console.warn(`lost (${s.cause.code}), attempt ${s.attempt} in ${s.delay} ms`);
   *   if (s.status === 'connected' && !s.sessionPresent) console.info('new session: subscriptions are sent again');
   * });
   * ```
   */
  readonly state$: Observable<ClientState>;
  /**
   * The client identifier in use: the configured or generated one, or, for an MQTT 5 client
   * configured without one, the server's Assigned Client Identifier once CONNACK arrived (an empty
   * string before). Reconnects send it, so a session with an expiry interval can be resumed.
   *
   * @example
   * ```ts
   * const client = await connectAsync(url, { protocolVersion: 5 });
   * console.log(client.clientId); // e.g. 'auto-1A2B...' assigned by the broker
   * ```
   */
  readonly clientId: string;
  /**
   * The protocol version the client speaks: 4 (MQTT 3.1.1) or 5 (MQTT 5.0), as given in the options.
   *
   * @example
   * ```ts
   * if (client.protocolVersion === 5) request(client, 'rpc/time', '').subscribe(console.log);
   * ```
   */
  readonly protocolVersion: 4 | 5;
  /**
   * Messages on `filter`. Cold: the first observer of a filter sends SUBSCRIBE (after CONNACK),
   * observers share it (a higher QoS re-subscribes), the last one leaving sends UNSUBSCRIBE.
   * Completes on disconnect(). Throws InvalidArgumentError for an invalid filter or options;
   * errors with SubscribeRefusedError or ConnectionClosedError.
   *
   * @example
   * ```ts
   * const readings = client.subscribe('sensors/+/temperature', { qos: 1 }); // nothing sent yet
   * const subscription = readings.subscribe((m) => console.log(m.topic, Number(m.text()))); // SUBSCRIBE
   * subscription.unsubscribe(); // the last observer of the filter left: UNSUBSCRIBE
   * ```
   */
  subscribe(filter: string, options?: SubscribeOptions): Observable<MqttMessage>;
  /**
   * Messages on a topic pattern's filter, each carrying the pattern's typed `params` (see
   * {@link topicPattern}). Otherwise the same as subscribing to `pattern.filter`: cold, shared and
   * ref-counted per filter, UNSUBSCRIBE when the last observer of the filter leaves.
   *
   * @example
   * ```ts
   * client.subscribe(topicPattern('devices/:id/sensors/:kind'), { qos: 1 })
   *   .subscribe((m) => console.log(m.params.id, m.params.kind, m.text()));
   * ```
   */
  subscribe<P>(pattern: TopicPattern<P>, options?: SubscribeOptions): Observable<MqttMessage<P>>;
  /**
   * Cold: subscribing sends PUBLISH; emits once and completes when QoS 0 was written, on PUBACK
   * (QoS 1) or PUBCOMP (QoS 2). Unsubscribing before it was sent drops it; after, the flow still
   * finishes. Throws InvalidArgumentError for invalid arguments; errors with PublishFailedError,
   * InvalidArgumentError (too large for the server, QoS or retain not supported) or
   * ConnectionClosedError.
   *
   * @example
   * ```ts
   * client.publish('plant/pumps/2/set', 'on', { qos: 1, retain: true }).subscribe({
   *   complete: () => console.log('PUBACK received'),
   *   error: (e) => console.error('not delivered', e),
   * });
   * ```
   */
  publish(topic: string, payload: string | Uint8Array, options?: PublishOptions): Observable<void>;
  /**
   * {@link publish} as a Promise: sends at once, resolves when the flow completes (written for QoS
   * 0, PUBACK for QoS 1, PUBCOMP for QoS 2); rejects with the errors `publish` errors with.
   *
   * @example
   * ```ts
   * await client.publishAsync('sensors/s1/temperature', JSON.stringify({ celsius: 21.5 }), { qos: 2 }); // PUBCOMP received
   * ```
   */
  publishAsync(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<void>;
  /**
   * Waits (at most `timeout` ms) for in-flight QoS 1/2 flows and SUBSCRIBE/UNSUBSCRIBE, sends
   * DISCONNECT, closes; `state$` ends with `closed` and subscriptions complete. While connecting,
   * it abandons the attempt. Throws InvalidArgumentError for invalid options.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', async () => {
   *   await client.disconnect({ timeout: 5000 }); // in-flight QoS 1/2 publishes finish first, then DISCONNECT
   *   process.exit(0);
   * });
   * ```
   */
  disconnect(options?: DisconnectOptions): Promise<void>;
  /**
   * The client's statistics: packets and messages in and out, inbound and outbound messages in
   * flight, queued publishes and reconnects. Cold: each subscriber gets a snapshot at once, then one
   * every `periodMs` (default 1000) until it unsubscribes; subscribing sends nothing. Completes
   * when the client is closed, after a last snapshot. Throws InvalidArgumentError for a period that
   * is not a positive number.
   *
   * @example
   * ```ts
   * client.stats(5000).subscribe((s) => console.log(`in ${s.messagesIn} out ${s.messagesOut} queued ${s.queued}`));
   * ```
   */
  stats(periodMs?: number): Observable<ClientStats>;
  /**
   * MQTT 5 re-authentication on the live connection (section 4.12.1): sends AUTH 0x19 with the
   * `authentication` option's method and `data` (default: the option's `data`, read afresh), answers
   * each AUTH 0x18 with `onChallenge`, and resolves when the server answers AUTH 0x00 (Success).
   * Rejects with InvalidArgumentError without the `authentication` option, ConnectionClosedError
   * when not connected, `MqttError` code `AUTH_IN_PROGRESS` while one runs, and code `AUTH_FAILED`
   * when it fails: the server ended the connection (DISCONNECT 0x87 in `reasonCode`), or
   * `onChallenge` threw (the client then sends DISCONNECT and closes). A failed re-authentication
   * ends the connection; the client reconnects as after any loss.
   *
   * @example
   * ```ts
   * const client = await connectAsync(url, { protocolVersion: 5, authentication: scramSha256Client({ username, password }) });
   * setInterval(() => client.reauthenticate().catch((e) => console.warn('re-authentication failed', e)), 3_600_000);
   * ```
   */
  reauthenticate(data?: Uint8Array): Promise<void>;
}

/**
 * Resolves with `client` after a successful CONNACK; rejects with the error that closed it (e.g.
 * {@link ConnectRefusedError}, or {@link ConnectionClosedError} when it closed before connecting).
 * Subscribes to `state$` only until then; sends nothing.
 *
 * @example
 * ```ts
 * const client = connect('wss://broker.example.com/mqtt', { clientId: 'dashboard-1' });
 * client.subscribe('alerts/#', { qos: 1 }).subscribe((m) => console.log(m.topic, m.text())); // SUBSCRIBE once connected
 * await whenConnected(client); // resolves on CONNACK
 * ```
 */
export async function whenConnected(client: MqttClient): Promise<MqttClient> {
  const state = await firstValueFrom(client.state$.pipe(filter((s) => s.status !== 'connecting' && s.status !== 'reconnecting')));
  if (state.status === 'connected') return client;
  if (state.status === 'closed' && state.error !== undefined) throw state.error;
  throw new ConnectionClosedError('the client closed before connecting');
}

