import type { Observable, SchedulerLike } from 'rxjs';
import type { ConnackPacket, ProtocolVersion, PublishPacket } from '../codec/packet.js';
import type { ClientAuthentication } from '../auth/authentication.js';
import type { MqttError } from '../errors.js';
import { ConnectionClosedError } from '../errors.js';
import type { MaximumQoSPolicy } from './check-server-limits.js';
import type { Ack } from './inbound-acks.js';
import type { InFlightStore } from './in-flight-store.js';
import { LiveSession, type SessionDisconnectOptions } from './live-session.js';
import type { OfflineQueueOptions } from './offline-queue.js';
import { OutboundPublisher } from './outbound-publisher.js';
import type { PacketChannel } from './packet-channel.js';
import { PacketIdAllocator } from './packet-id-allocator.js';
import { SubscriptionRegistry, type FilterOptions } from './subscription-registry.js';

/** What a {@link ClientSession} keeps for the life of the client. */
export interface ClientSessionOptions<M> {
  readonly store: InFlightStore;
  readonly protocolVersion: ProtocolVersion;
  /** Bounds of the publishes made while no connection is attached. */
  readonly offlineQueue?: OfflineQueueOptions;
  /** The client's cap on QoS 1/2 publishes in flight (see `ClientOptions.maxInFlight`). */
  readonly maxInFlight?: number;
  /** Resends of one message after lost connections before it fails (see `ClientOptions.maxResends`). */
  readonly maxResends?: number;
  /** Builds the object handed to subscribers from an inbound PUBLISH (topic alias resolved). */
  readonly createMessage: (packet: PublishPacket) => M;
  /** A manual observer's own view of a message, whose ack() calls `handle.ack()`. Default: the message itself. */
  readonly manualView?: (message: M, handle: Ack) => M;
}

/** The settings of one connection, from its CONNECT (see {@link ClientSession.attach}). */
export interface AttachOptions {
  /** The Keep Alive sent in CONNECT, in seconds (0 = off); the server's Server Keep Alive wins. */
  readonly keepAlive: number;
  /** Milliseconds to wait for any packet after PINGREQ. Default: half the keep alive interval. */
  readonly pingTimeout?: number;
  /** The Topic Alias Maximum sent in CONNECT (0 = aliases not accepted). */
  readonly topicAliasMaximum: number;
  /** The inbound window (see `ClientOptions.receiveMaximum`). Default: none. */
  readonly receiveMaximum?: number;
  /** MQTT 5: a broker exceeding `receiveMaximum` is disconnected with 0x93 instead of slowed down. */
  readonly strictReceiveMaximum?: boolean;
  /** Time source for keep alive (a TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
  /** MQTT 5: assign topic aliases to outbound PUBLISH packets within the server's Topic Alias Maximum. Default true. */
  readonly outboundTopicAliases?: boolean;
  /** MQTT 5: a publish above the server's Maximum QoS is refused (default) or downgraded (see `ClientOptions.aboveMaximumQoS`). */
  readonly aboveMaximumQoS?: MaximumQoSPolicy;
  /** Each value sends a PINGREQ at once and waits briefly for an answer (see `ClientOptions.wakeups`). */
  readonly probe$?: Observable<unknown>;
  /** MQTT 5 enhanced authentication: what re-authentication uses (see `ClientOptions.authentication`). */
  readonly authentication?: ClientAuthentication;
}

/** The queues and windows of a {@link ClientSession} at one moment. */
export interface SessionLoad {
  /** Units of the attached connection's inbound window in use (0 when detached). */
  readonly inboundWindowInUse: number;
  /** QoS 2 messages received and not yet released (PUBREL), as the store holds them. */
  readonly inboundInFlight: number;
  /** QoS 1/2 publishes started and not finished. */
  readonly outboundInFlight: number;
  /** Publishes waiting to be sent (offline, or for a window slot). */
  readonly queued: number;
  /** Publishes dropped because their Message Expiry Interval ran out while they waited. */
  readonly expired: number;
}

/**
 * The client's long-lived MQTT session: it owns the packet identifiers, the in-flight store, the
 * {@link OutboundPublisher} and the {@link SubscriptionRegistry}, which outlive connections. Each
 * accepted connection is attached ({@link attach}), runs as a {@link LiveSession} that has no public
 * state, and is detached when it ends; publishes and subscriptions made meanwhile wait for the next.
 * {@link end} closes it for good.
 *
 * @example
 * ```ts
 * const session = new ClientSession({ store, protocolVersion: 5, createMessage: (p) => p });
 * session.observe('a/#', { qos: 1 }).subscribe(console.log); // SUBSCRIBE once attached
 * const ended = session.attach(channel, connack, { keepAlive: 60, topicAliasMaximum: 0 });
 * ```
 */
export class ClientSession<M> {
  private readonly packetIds = new PacketIdAllocator();
  private readonly publisher: OutboundPublisher;
  private readonly subscriptions = new SubscriptionRegistry<M>();
  private connection: LiveSession<M> | undefined = undefined;

  /** Throws InvalidArgumentError for invalid offline queue options. */
  constructor(private readonly options: ClientSessionOptions<M>) {
    this.publisher = new OutboundPublisher({
      packetIds: this.packetIds,
      store: options.store,
      protocolVersion: options.protocolVersion,
      offlineQueue: options.offlineQueue,
      maxInFlight: options.maxInFlight,
      maxResends: options.maxResends,
    });
  }

  /** True while a connection is attached and open. */
  get isAttached(): boolean {
    return this.connection?.isOpen === true;
  }

  /**
   * Attaches an accepted connection (its CONNACK read from `channel`): resends a resumed session's
   * flows, restores the subscriptions for the session the CONNACK reports, then sends what waits.
   * Resolves once that connection ended: with the error, or undefined after {@link disconnect}.
   */
  attach(channel: PacketChannel, connack: ConnackPacket, options: AttachOptions): Promise<MqttError | undefined> {
    this.connection?.close(new ConnectionClosedError('replaced by a new connection'));
    const { store, createMessage, manualView } = this.options;
    const connection = new LiveSession<M>(
      channel,
      connack,
      { store, packetIds: this.packetIds, publisher: this.publisher, subscriptions: this.subscriptions, createMessage, manualView },
      options,
    );
    this.connection = connection;
    return connection.whenClosed();
  }

  /** Publishes on the attached connection, or queues while detached. Cold (see {@link OutboundPublisher.publish}). */
  publish(packet: PublishPacket): Observable<void> {
    return this.publisher.publish(packet);
  }

  /** An observer of `filter` (see {@link SubscriptionRegistry.observe}): SUBSCRIBE once attached. Cold. */
  observe(filter: string, options: FilterOptions): Observable<M> {
    return this.subscriptions.observe(filter, options);
  }

  /** Waits (at most `options.timeout` ms) for in-flight flows, then sends DISCONNECT on the attached connection. */
  async disconnect(options: SessionDisconnectOptions): Promise<void> {
    await this.connection?.disconnect(options);
  }

  /**
   * Closed for good: observers complete (`error` undefined) or error, pending publishes error with
   * `closedError`, and the attached connection closes.
   */
  end(error: MqttError | undefined, closedError: ConnectionClosedError): void {
    this.subscriptions.endAll(error === undefined ? undefined : closedError);
    this.publisher.failAll(closedError);
    this.connection?.close(error);
  }

  /** Re-authenticates on the attached connection (MQTT 5, AUTH 0x19); rejects with ConnectionClosedError when detached. */
  reauthenticate(data?: Uint8Array): Promise<void> {
    const connection = this.connection;
    if (connection?.isOpen !== true) return Promise.reject(new ConnectionClosedError('not connected'));
    return connection.reauthenticate(data);
  }

  /** The queues and windows now (for `MqttClient.stats`). */
  load(): SessionLoad {
    let inboundInFlight = 0;
    for (const _ of this.options.store.inbound()) inboundInFlight++;
    const connection = this.connection;
    return {
      inboundWindowInUse: connection?.isOpen === true ? connection.windowInUse() : 0,
      inboundInFlight,
      outboundInFlight: this.publisher.inFlightCount,
      queued: this.publisher.queuedCount,
      expired: this.publisher.expiredCount,
    };
  }
}
