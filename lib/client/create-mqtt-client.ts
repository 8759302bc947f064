import { defer, filter, Observable, of, ReplaySubject, switchMap, take, throwError, timeout, type Subscription } from 'rxjs';
import type { ConnectPacket, PublishPacket } from '../codec/packet.js';
import { ConnectionClosedError, InvalidArgumentError, MqttError, TimeoutError } from '../errors.js';
import { connectHandshake } from '../session/connect-handshake.js';
import { LiveSession } from '../session/live-session.js';
import { MemoryInFlightStore } from '../session/memory-in-flight-store.js';
import { PacketChannel } from '../session/packet-channel.js';
import { assertTopicFilter, assertTopicName } from '../session/validate-topic.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { assertQoS, toPayload, type ClientOptions } from './client-options.js';
import { ReceivedMessage, type MqttMessage } from './mqtt-message.js';
import type { ClientState, DisconnectOptions, MqttClient, PublishOptions, SubscribeOptions } from './mqtt-client.js';

/**
 * Creates a client that starts connecting through `transport` at once (hot). Used by `connect()`;
 * the options must have been turned into `connectPacket` by `buildConnectPacket`. The client is a
 * thin facade: the protocol work happens in the session layer's {@link LiveSession}.
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
  private session: LiveSession<MqttMessage> | undefined = undefined;
  private readonly attempt: Subscription;
  readonly state$: Observable<ClientState> = this.states.asObservable();
  private readonly ready$: Observable<LiveSession<MqttMessage>> = defer(() =>
    this.states.pipe(
      filter((s) => s.status !== 'connecting'),
      take(1),
      switchMap((s) =>
        s.status === 'connected' && this.session !== undefined ? of(this.session) : throwError(() => this.unavailable()),
      ),
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
          const { connack } = session;
          if (session.isOpen) this.setState({ status: 'connected', sessionPresent: connack.sessionPresent, connack });
        },
        error: (error: unknown) =>
          this.setClosed(error instanceof MqttError ? error : new MqttError('INTERNAL_ERROR', String(error), { cause: error })),
      });
  }

  subscribe(filter: string, options: SubscribeOptions = {}): Observable<MqttMessage> {
    assertTopicFilter(filter, 'filter');
    assertOptionsObject(options, '{ qos?, noLocal?, retainAsPublished?, retainHandling?, properties? }');
    const qos = options.qos ?? 0;
    assertQoS(qos, 'options.qos');
    const rh = options.retainHandling;
    if (rh !== undefined && rh !== 0 && rh !== 1 && rh !== 2) {
      throw new InvalidArgumentError('options.retainHandling', `must be 0, 1 or 2, got ${String(rh)}`);
    }
    this.assertVersion5(options, ['noLocal', 'retainAsPublished', 'retainHandling', 'properties']);
    const { noLocal, retainAsPublished, properties } = options;
    const filterOptions = { qos, noLocal, retainAsPublished, retainHandling: rh, properties };
    return this.ready$.pipe(switchMap((session) => session.subscriptions.observe(filter, filterOptions)));
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
      const maximumPacketSize = this.connectPacket.properties?.maximumPacketSize;
      const channel = new PacketChannel(transport, { protocolVersion, maximumPacketSize });
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

  private setClosed(error: MqttError | undefined): void {
    if (this.current.status === 'closed') return;
    this.setState(error === undefined ? { status: 'closed' } : { status: 'closed', error });
    this.states.complete();
  }
}

function assertOptionsObject(options: unknown, shape: string): void {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', `expected ${shape}`);
}
