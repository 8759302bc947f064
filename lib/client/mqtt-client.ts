import { defer, filter, firstValueFrom, Observable, of, ReplaySubject, switchMap, take, throwError, timeout, type Subscription } from 'rxjs';
import type { ConnackPacket, ConnectPacket, PublishPacket, QoS } from '../codec/packet.js';
import type { DisconnectProperties, PublishProperties, SubscribeProperties } from '../codec/properties.js';
import { ConnectionClosedError, InvalidArgumentError, MqttError, TimeoutError } from '../errors.js';
import { connectHandshake } from '../session/connect-handshake.js';
import { LiveSession } from '../session/live-session.js';
import { MemoryInFlightStore } from '../session/memory-in-flight-store.js';
import { PacketChannel } from '../session/packet-channel.js';
import { assertTopicFilter, assertTopicName } from '../session/validate-topic.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { assertQoS, toPayload, type ClientOptions } from './client-options.js';
import { ReceivedMessage, type MqttMessage } from './mqtt-message.js';

/** Where the client is: replayed to every new subscriber of `state$`. */
export type ClientState =
  | { readonly status: 'connecting' }
  | { readonly status: 'connected'; readonly sessionPresent: boolean; readonly connack: ConnackPacket }
  | { readonly status: 'disconnecting' }
  | { readonly status: 'closed'; readonly error?: MqttError };

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

/** A connection to an MQTT broker; see `connect()`. */
export interface MqttClient {
  /** Hot, replays the current state; completes after `closed`. */
  readonly state$: Observable<ClientState>;
  subscribe(filter: string, options?: SubscribeOptions): Observable<MqttMessage>;
  publish(topic: string, payload: string | Uint8Array, options?: PublishOptions): Observable<void>;
  publishAsync(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<void>;
  disconnect(options?: DisconnectOptions): Promise<void>;
}

/**
 * Creates a client that starts connecting through `transport` at once. Used by `connect()`; the
 * options must have been turned into `connectPacket` by `buildConnectPacket`.
 */
export function createMqttClient(options: ClientOptions, connectPacket: ConnectPacket, transport: TransportFactory): MqttClient {
  return new Client(options, connectPacket, transport);
}

/** Resolves with `client` after a successful CONNACK; rejects with the error that closed it. */
export async function whenConnected(client: MqttClient): Promise<MqttClient> {
  const state = await firstValueFrom(client.state$.pipe(filter((s) => s.status !== 'connecting')));
  if (state.status === 'connected') return client;
  throw state.status === 'closed' && state.error !== undefined ? state.error : new ConnectionClosedError('the client closed before connecting');
}

class Client implements MqttClient {
  private readonly states = new ReplaySubject<ClientState>(1);
  private current: ClientState = { status: 'connecting' };
  private session: LiveSession<MqttMessage> | undefined = undefined;
  private readonly attempt: Subscription;
  readonly state$: Observable<ClientState> = this.states.asObservable();
  private readonly ready$: Observable<LiveSession<MqttMessage>> = defer(() =>
    this.states.pipe(
      filter((s) => s.status !== 'connecting'),
      take(1),
      switchMap((s) => (s.status === 'connected' && this.session !== undefined ? of(this.session) : throwError(() => this.unavailable()))),
    ),
  );

  constructor(
    private readonly options: ClientOptions,
    private readonly connectPacket: ConnectPacket,
    transport: TransportFactory,
  ) {
    this.states.next(this.current);
    const connectTimeout = options.connectTimeout ?? 30_000;
    this.attempt = defer(() => transport())
      .pipe(
        take(1),
        switchMap((t) => this.handshake(t)),
        timeout({
          first: connectTimeout,
          with: () => throwError(() => new TimeoutError('CONNECT_TIMEOUT', `no CONNACK within ${connectTimeout} ms`)),
        }),
      )
      .subscribe({
        next: (session) => {
          this.session = session;
          if (session.isOpen) this.setState({ status: 'connected', sessionPresent: session.connack.sessionPresent, connack: session.connack });
        },
        error: (error: unknown) => this.setClosed(error instanceof MqttError ? error : new MqttError('INTERNAL_ERROR', String(error), { cause: error })),
      });
  }

  subscribe(filter: string, options: SubscribeOptions = {}): Observable<MqttMessage> {
    assertTopicFilter(filter, 'filter');
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { qos?, noLocal?, retainAsPublished?, retainHandling?, properties? }');
    const qos = options.qos ?? 0;
    assertQoS(qos, 'options.qos');
    const rh = options.retainHandling;
    if (rh !== undefined && rh !== 0 && rh !== 1 && rh !== 2) throw new InvalidArgumentError('options.retainHandling', `must be 0, 1 or 2, got ${String(rh)}`);
    const filterOptions = { qos, noLocal: options.noLocal, retainAsPublished: options.retainAsPublished, retainHandling: rh, properties: options.properties };
    return this.ready$.pipe(switchMap((session) => session.subscriptions.observe(filter, filterOptions)));
  }

  publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Observable<void> {
    assertTopicName(topic, 'topic');
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { qos?, retain?, properties? }');
    const qos = options.qos ?? 0;
    assertQoS(qos, 'options.qos');
    if (options.retain !== undefined && typeof options.retain !== 'boolean') throw new InvalidArgumentError('options.retain', 'expected a boolean');
    const packet: PublishPacket = {
      type: 'publish',
      topic,
      payload: toPayload(payload, 'payload'),
      qos,
      retain: options.retain ?? false,
      dup: false,
      properties: options.properties,
    };
    return new Observable<void>((subscriber) => {
      const session = this.session;
      // The common case (connected) skips the wait-for-connection pipeline.
      if (session !== undefined && this.current.status === 'connected') return session.publish(packet).subscribe(subscriber);
      return this.ready$.pipe(switchMap((s) => s.publish(packet))).subscribe(subscriber);
    });
  }

  publishAsync(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.publish(topic, payload, options).subscribe({ complete: resolve, error: reject });
    });
  }

  async disconnect(options: DisconnectOptions = {}): Promise<void> {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { timeout?, reasonCode?, properties? }');
    const timeoutMs = options.timeout ?? 10_000;
    if (!(typeof timeoutMs === 'number' && timeoutMs >= 0)) throw new InvalidArgumentError('options.timeout', `must be a number of milliseconds >= 0, got ${String(timeoutMs)}`);
    const status = this.current.status;
    if (status === 'closed') return;
    if (status === 'connecting') {
      this.attempt.unsubscribe();
      this.setClosed(undefined);
      return;
    }
    const session = this.session as LiveSession<MqttMessage>;
    if (status === 'connected') this.setState({ status: 'disconnecting' });
    await session.disconnect({ timeout: timeoutMs, reasonCode: options.reasonCode, properties: options.properties });
  }

  private handshake(transport: Transport): Observable<LiveSession<MqttMessage>> {
    return new Observable<LiveSession<MqttMessage>>((subscriber) => {
      const protocolVersion = this.connectPacket.protocolVersion;
      const channel = new PacketChannel(transport, { protocolVersion, maximumPacketSize: this.connectPacket.properties?.maximumPacketSize });
      let session: LiveSession<MqttMessage> | undefined;
      const handshake = connectHandshake(channel, this.connectPacket).subscribe({
        next: (connack) => {
          session = new LiveSession<MqttMessage>(channel, connack, {
            keepAlive: this.connectPacket.keepAlive,
            pingTimeout: this.options.pingTimeout,
            topicAliasMaximum: this.connectPacket.properties?.topicAliasMaximum ?? 0,
            store: this.options.store ?? new MemoryInFlightStore(),
            createMessage: (packet) => new ReceivedMessage(packet),
            onClose: (error) => this.setClosed(error),
          });
          subscriber.next(session);
          subscriber.complete();
        },
        error: (error: unknown) => {
          channel.close();
          subscriber.error(error);
        },
      });
      return () => {
        handshake.unsubscribe();
        if (session === undefined) channel.close();
      };
    });
  }

  private unavailable(): ConnectionClosedError {
    const state = this.current;
    if (state.status === 'disconnecting') return new ConnectionClosedError('the client is disconnecting');
    const error = state.status === 'closed' ? state.error : undefined;
    if (error instanceof ConnectionClosedError) return error;
    return new ConnectionClosedError(error === undefined ? 'the client is closed' : `the client is closed: ${error.message}`, { cause: error });
  }

  private setState(state: ClientState): void {
    if (this.current.status === 'closed') return;
    this.current = state;
    this.states.next(state);
  }

  private setClosed(error: MqttError | undefined): void {
    if (this.current.status === 'closed') return;
    this.setState(error === undefined ? { status: 'closed' } : { status: 'closed', error });
    this.states.complete();
  }
}
