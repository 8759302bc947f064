import {
  concat,
  defer,
  EMPTY,
  filter,
  from,
  identity,
  interval,
  map,
  merge,
  mergeMap,
  Observable,
  of,
  ReplaySubject,
  switchMap,
  take,
  takeUntil,
  throwError,
  timeout,
  type Subscription,
} from 'rxjs';
import type { ConnackPacket, ConnectPacket, Packet, PublishPacket } from '../codec/packet.js';
import { ConnectionClosedError, InvalidArgumentError, MqttError, TimeoutError } from '../errors.js';
import { connectHandshake } from '../session/connect-handshake.js';
import type { InFlightStore } from '../session/in-flight-store.js';
import { isReconnectable } from '../session/is-reconnectable.js';
import { ClientSession } from '../session/client-session.js';
import { MemoryInFlightStore } from '../session/memory-in-flight-store.js';
import { PacketChannel } from '../session/packet-channel.js';
import { reconnectWithBackoff } from '../session/reconnect-with-backoff.js';
import { assertTopicFilter, assertTopicName } from '../session/validate-topic.js';
import { pageWakeups } from '../transport/page-wakeups.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { applyConnectOverrides, runBeforeConnect } from './apply-connect-overrides.js';
import { reconnectOptions } from './reconnect-options.js';
import {
  assertQoS,
  inboundReceiveMaximum,
  incomingMaximumPacketSize,
  outboundMaxInFlight,
  toPayload,
  type ClientOptions,
} from './client-options.js';
import { ClientCounters, type ClientStats } from './client-stats.js';
import { manualView, ReceivedMessage, withParams, type MqttMessage } from './mqtt-message.js';
import type { TopicPattern } from '../session/topic-pattern.js';
import type { ClientState, DisconnectOptions, MqttClient, PublishOptions, SubscribeOptions } from './mqtt-client.js';

/** One accepted connection, attached to the client's session: its CONNACK and its end. */
interface Attached {
  readonly connack: ConnackPacket;
  /** Resolves once the connection ended (undefined after a clean disconnect). */
  readonly ended: Promise<MqttError | undefined>;
}

/**
 * Creates a client that starts connecting through `transport` at once (hot). Used by `connect()`;
 * the options must have been turned into `connectPacket` by `buildConnectPacket`. The client is a
 * thin facade over one long-lived {@link ClientSession} (packet identifiers, store, publisher,
 * subscriptions), to which each accepted connection is attached; lost connections are renewed by
 * {@link reconnectWithBackoff} unless `reconnect` is false (a failed first connection only with
 * `reconnect.retryInitialConnect`).
 *
 * Throws InvalidArgumentError naming the option for invalid `reconnect`, `beforeConnect` or
 * `offlineQueue` options.
 *
 * @example
 * ```ts
 * const client = createMqttClient(options, buildConnectPacket(options), tcpTransport({ host, port }));
 * ```
 */
export function createMqttClient(options: ClientOptions, connectPacket: ConnectPacket, transport: TransportFactory): MqttClient {
  return new Client(options, connectPacket, transport);
}

class Client implements MqttClient {
  private readonly states = new ReplaySubject<ClientState>(1);
  private current: ClientState = { status: 'connecting' };
  private readonly session: ClientSession<MqttMessage>;
  /** The wake-ups that probe the connection and cut reconnect waits short (`ClientOptions.wakeups`). */
  private readonly wakeups: Observable<unknown> | undefined;
  private readonly lifecycle: Subscription;
  private attempts = 0;
  private readonly counters = new ClientCounters();
  /** Counts each packet and hands it to the trace hook, if any (one function per client, not per packet). */
  private readonly onPacket: (direction: 'in' | 'out', packet: Packet) => void;
  private connectedOnce = false;
  private userClosed = false;
  readonly state$: Observable<ClientState> = this.states.asObservable();

  constructor(
    private readonly options: ClientOptions,
    private connectPacket: ConnectPacket,
    transport: TransportFactory,
  ) {
    const reconnect = reconnectOptions(options.reconnect);
    if (options.beforeConnect !== undefined && typeof options.beforeConnect !== 'function') {
      throw new InvalidArgumentError('beforeConnect', 'expected a function (attempt) => overrides | Promise<overrides>');
    }
    const trace = options.trace;
    const counters = this.counters;
    this.onPacket =
      trace === undefined
        ? (direction, packet) => counters.count(direction, packet)
        : (direction, packet) => {
            counters.count(direction, packet);
            try {
              trace({ direction, packet, time: Date.now(), connection: this.attempts });
            } catch {
              // A broken trace must not break the connection.
            }
          };
    const store: InFlightStore = options.store ?? new MemoryInFlightStore();
    this.session = new ClientSession<MqttMessage>({
      store,
      protocolVersion: connectPacket.protocolVersion,
      offlineQueue: options.offlineQueue,
      maxInFlight: outboundMaxInFlight(options),
      maxResends: options.maxResends,
      createMessage: (packet) => new ReceivedMessage(packet),
      manualView,
    });
    const canRefresh = options.beforeConnect !== undefined;
    this.wakeups = options.wakeups === false ? undefined : (options.wakeups ?? pageWakeups());
    const retryInitial = reconnect?.retryInitialConnect === true;
    const retry =
      reconnect === undefined
        ? identity
        : reconnectWithBackoff<Attached>({
            ...reconnect,
            // A wake-up (the page visible again, the network back) cuts a backoff wait short.
            trigger$: reconnect.trigger$ !== undefined && this.wakeups !== undefined ? merge(reconnect.trigger$, this.wakeups) : (reconnect.trigger$ ?? this.wakeups),
            // Only a connection that had succeeded is renewed, unless asked to retry the first one too.
            shouldRetry: (error) => !this.userClosed && (this.connectedOnce || retryInitial) && isReconnectable(error, canRefresh),
            onRetry: ({ attempt, delay, cause }) => {
              this.counters.reconnects++;
              this.setState({ status: 'reconnecting', attempt, delay, cause: asMqttError(cause) });
            },
          });
    this.states.next(this.current);
    this.lifecycle = defer(() => this.connectOnce(transport))
      .pipe(retry)
      .subscribe({
        error: (error: unknown) => this.closeForGood(asMqttError(error)),
        complete: () => this.closeForGood(undefined),
      });
  }

  /** One connection attempt: emits once connected, then errors when the connection is lost (or completes after disconnect). */
  private connectOnce(transport: TransportFactory): Observable<Attached> {
    const attempt = ++this.attempts;
    if (this.current.status === 'reconnecting') this.setState({ status: 'connecting' });
    const connectTimeout = this.options.connectTimeout ?? 30_000;
    const hook = this.options.beforeConnect;
    const first = !this.connectedOnce;
    return defer(async () => applyConnectOverrides(this.connectPacket, hook === undefined ? undefined : await runBeforeConnect(hook, attempt), first)).pipe(
      switchMap((connect) => defer(() => transport()).pipe(take(1), switchMap((t) => this.handshake(t, connect)))),
      timeout({
        first: connectTimeout,
        with: () => throwError(() => new TimeoutError('CONNECT_TIMEOUT', `no CONNACK within ${connectTimeout} ms`)),
      }),
      switchMap((attached) => {
        this.connectedOnce = true;
        const { connack } = attached;
        const assigned = connack.properties?.assignedClientIdentifier;
        // [MQTT-3.2.2-16] the server assigned the identifier of an empty one: later CONNECTs use it.
        if (assigned !== undefined && this.connectPacket.clientId === '') this.connectPacket = { ...this.connectPacket, clientId: assigned };
        if (this.session.isAttached) this.setState({ status: 'connected', sessionPresent: connack.sessionPresent, connack, clientId: this.clientId });
        const ended = from(attached.ended).pipe(mergeMap((error) => (error === undefined ? EMPTY : throwError(() => error))));
        return concat(of(attached), ended);
      }),
    );
  }

  get clientId(): string {
    return this.connectPacket.clientId;
  }

  get protocolVersion(): 4 | 5 {
    return this.connectPacket.protocolVersion;
  }

  subscribe(filter: string, options?: SubscribeOptions): Observable<MqttMessage>;
  subscribe<P>(pattern: TopicPattern<P>, options?: SubscribeOptions): Observable<MqttMessage<P>>;
  subscribe<P>(filterOrPattern: string | TopicPattern<P>, options: SubscribeOptions = {}): Observable<MqttMessage> | Observable<MqttMessage<P>> {
    if (isTopicPattern<P>(filterOrPattern)) {
      const pattern = filterOrPattern;
      // The subscription delivers only topics its filter matches, so match() always has params.
      return this.subscribe(pattern.filter, options).pipe(map((m) => withParams(m, pattern.match(m.topic) as P)));
    }
    const filter = filterOrPattern;
    assertTopicFilter(filter, 'filter');
    assertOptionsObject(options, '{ qos?, ack?, noLocal?, retainAsPublished?, retainHandling?, properties? }');
    const qos = options.qos ?? 0;
    assertQoS(qos, 'options.qos');
    const rh = options.retainHandling;
    if (rh !== undefined && rh !== 0 && rh !== 1 && rh !== 2) {
      throw new InvalidArgumentError('options.retainHandling', `must be 0, 1 or 2, got ${String(rh)}`);
    }
    const ack = options.ack ?? 'auto';
    if (ack !== 'auto' && ack !== 'manual') throw new InvalidArgumentError('options.ack', `must be 'auto' or 'manual', got ${String(ack)}`);
    this.assertVersion5(options, ['noLocal', 'retainAsPublished', 'retainHandling', 'properties']);
    const { noLocal, retainAsPublished, properties } = options;
    const filterOptions = { qos, noLocal, retainAsPublished, retainHandling: rh, properties, ack };
    return defer(() => {
      const status = this.current.status;
      if (status === 'closed' || status === 'disconnecting') return throwError(() => this.unavailable());
      return this.session.observe(filter, filterOptions);
    });
  }

  publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Observable<void> {
    assertTopicName(topic, 'topic');
    assertOptionsObject(options, '{ qos?, retain?, properties? }');
    const qos = options.qos ?? 0;
    assertQoS(qos, 'options.qos');
    this.assertVersion5(options, ['properties']);
    if (options.retain !== undefined && typeof options.retain !== 'boolean') {
      throw new InvalidArgumentError('options.retain', 'expected a boolean');
    }
    if (options.properties?.topicAlias !== undefined && this.options.topicAliases !== false) {
      throw new InvalidArgumentError('options.properties.topicAlias', 'the client assigns topic aliases itself: connect with topicAliases: false to set them');
    }
    const packet: PublishPacket = {
      type: 'publish',
      topic,
      payload: toPayload(payload, 'payload'),
      qos,
      retain: options.retain ?? false,
      dup: false,
      properties: options.properties,
    };
    // While not connected the publisher queues it (offline queue); closed for good, it errors.
    const published = this.session.publish(packet);
    return new Observable<void>((subscriber) => {
      if (this.current.status === 'disconnecting') {
        subscriber.error(this.unavailable());
        return;
      }
      return published.subscribe(subscriber);
    });
  }

  publishAsync(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.publish(topic, payload, options).subscribe({ complete: resolve, error: reject });
    });
  }

  async disconnect(options: DisconnectOptions = {}): Promise<void> {
    assertOptionsObject(options, '{ timeout?, reasonCode?, properties? }');
    const timeoutMs = options.timeout ?? 10_000;
    if (!(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
      throw new InvalidArgumentError('options.timeout', `must be a number of milliseconds >= 0, got ${String(timeoutMs)}`);
    }
    this.assertVersion5(options, ['reasonCode', 'properties']);
    const code = options.reasonCode;
    if (code !== undefined && !(Number.isInteger(code) && code >= 0 && code <= 0xff)) {
      throw new InvalidArgumentError('options.reasonCode', `must be an integer from 0 to 255, got ${String(code)}`);
    }
    const status = this.current.status;
    if (status === 'closed') return;
    this.userClosed = true;
    if ((status === 'connected' || status === 'disconnecting') && this.session.isAttached) {
      if (status === 'connected') this.setState({ status: 'disconnecting' });
      await this.session.disconnect({ timeout: timeoutMs, reasonCode: options.reasonCode, properties: options.properties });
    }
    // Connecting or waiting to reconnect: abandon the attempt. Connected: the session has ended.
    this.lifecycle.unsubscribe();
    this.closeForGood(undefined);
  }

  reauthenticate(data?: Uint8Array): Promise<void> {
    // MQTT 5 enhanced authentication only; the session's connection runs the AUTH exchange.
    if (this.options.authentication === undefined) return Promise.reject(new InvalidArgumentError('authentication', 'reauthenticate() needs the authentication option (MQTT 5)'));
    return this.session.reauthenticate(data); // ConnectionClosedError when no connection is attached
  }

  stats(periodMs = 1000): Observable<ClientStats> {
    if (!(typeof periodMs === 'number' && periodMs > 0 && Number.isFinite(periodMs))) {
      throw new InvalidArgumentError('periodMs', `must be a positive number of milliseconds, got ${String(periodMs)}`);
    }
    const snapshot = (): ClientStats => this.counters.snapshot(this.session.load());
    // A snapshot at once, one per period, and a last one when the client closes.
    const closed = this.states.pipe(
      filter((s) => s.status === 'closed'),
      take(1),
    );
    return concat(defer(() => of(snapshot())), interval(periodMs).pipe(takeUntil(closed), map(snapshot)), defer(() => of(snapshot())));
  }

  private handshake(transport: Transport, connectPacket: ConnectPacket): Observable<Attached> {
    return new Observable<Attached>((subscriber) => {
      const protocolVersion = connectPacket.protocolVersion;
      // The limit announced in an MQTT 5 CONNECT (a beforeConnect hook may have changed it), or the
      // option's (3.1.1, no properties); enforced from each fixed header on.
      const maximumPacketSize = connectPacket.properties?.maximumPacketSize ?? incomingMaximumPacketSize(this.options);
      const channel = new PacketChannel(transport, { protocolVersion, maximumPacketSize, onPacket: this.onPacket });
      let attached = false;
      const handshake = connectHandshake(channel, connectPacket, this.options.authentication).subscribe({
        next: (connack) => {
          attached = true;
          const ended = this.session.attach(channel, connack, {
            keepAlive: connectPacket.keepAlive,
            pingTimeout: this.options.pingTimeout,
            topicAliasMaximum: connectPacket.properties?.topicAliasMaximum ?? 0,
            // The window announced in this CONNECT (a beforeConnect hook may have changed it), or the option's (3.1.1).
            receiveMaximum: connectPacket.properties?.receiveMaximum ?? inboundReceiveMaximum(this.options),
            strictReceiveMaximum: this.options.strictReceiveMaximum,
            probe$: this.wakeups,
            outboundTopicAliases: this.options.topicAliases,
            authentication: this.options.authentication,
            aboveMaximumQoS: this.options.aboveMaximumQoS,
          });
          subscriber.next({ connack, ended });
          subscriber.complete();
        },
        error: (error: unknown) => {
          channel.close();
          subscriber.error(error);
        },
      });
      return () => {
        handshake.unsubscribe();
        if (!attached) channel.close();
      };
    });
  }

  /** MQTT 3.1.1 has no place for these options: refuse them rather than drop them silently. */
  private assertVersion5(options: object, names: readonly string[]): void {
    if (this.connectPacket.protocolVersion === 5) return;
    for (const name of names) {
      if ((options as Record<string, unknown>)[name] !== undefined) {
        throw new InvalidArgumentError(`options.${name}`, 'is an MQTT 5 feature: connect with protocolVersion 5');
      }
    }
  }

  private unavailable(): ConnectionClosedError {
    const state = this.current;
    if (state.status === 'disconnecting') return new ConnectionClosedError('the client is disconnecting');
    const error = state.status === 'closed' ? state.error : undefined;
    if (error instanceof ConnectionClosedError) return error;
    const message = error === undefined ? 'the client is closed' : `the client is closed: ${error.message}`;
    return new ConnectionClosedError(message, { cause: error });
  }

  private setState(state: ClientState): void {
    if (this.current.status === 'closed') return;
    this.current = state;
    this.states.next(state);
  }

  /** Closed for good (disconnect(), a final error, attempts exhausted): ends observers and publishes. */
  private closeForGood(error: MqttError | undefined): void {
    if (this.current.status === 'closed') return;
    const closedError =
      error instanceof ConnectionClosedError
        ? error
        : new ConnectionClosedError(error === undefined ? 'the client disconnected' : `the connection closed: ${error.message}`, {
            cause: error,
          });
    // A clean disconnect completes the subscriptions; anything else errors them.
    this.session.end(error, closedError);
    this.setState(error === undefined ? { status: 'closed' } : { status: 'closed', error });
    this.states.complete();
  }
}

function asMqttError(error: unknown): MqttError {
  if (error instanceof MqttError) return error;
  return new MqttError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}

function assertOptionsObject(options: unknown, shape: string): void {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', `expected ${shape}`);
}

function isTopicPattern<P>(value: unknown): value is TopicPattern<P> {
  return typeof value === 'object' && value !== null && typeof (value as TopicPattern<P>).filter === 'string' && typeof (value as TopicPattern<P>).match === 'function';
}
