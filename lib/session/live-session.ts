import { asyncScheduler, Observable, Subscription, throwError } from 'rxjs';
import type {
  ConnackPacket,
  DisconnectPacket,
  Packet,
  PublishPacket,
  SubackPacket,
  Subscription as MqttSubscription,
  UnsubackPacket,
} from '../codec/packet.js';
import type { DisconnectProperties, SubscribeProperties } from '../codec/properties.js';
import { ConnectionClosedError, DecodeError, MqttError, ProtocolError } from '../errors.js';
import { AckRouter } from './ack-router.js';
import { checkServerLimits, fitServerLimits } from './check-server-limits.js';
import { checkSubscribeLimits } from './check-subscribe-limits.js';
import { InboundAcks, type Ack } from './inbound-acks.js';
import { inboundPackets } from './inbound-packets.js';
import { inboundWindow } from './inbound-window.js';
import type { InFlightStore } from './in-flight-store.js';
import { keepalive } from './keepalive.js';
import type { OutboundFlowContext } from './outbound-flow-context.js';
import { OutboundPublisher } from './outbound-publisher.js';
import { OutboundTopicAliases } from './outbound-topic-aliases.js';
import type { PacketChannel } from './packet-channel.js';
import type { PacketIdAllocator } from './packet-id-allocator.js';
import type { AttachOptions } from './client-session.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import { subscribeFlow, unsubscribeFlow } from './subscribe-flow.js';
import { whenSettled } from './when-settled.js';
import { ReauthenticateFlow } from './reauthenticate-flow.js';

/** The long-lived parts a connection works on, owned by the {@link ClientSession} that attaches it. */
export interface SessionParts<M> {
  readonly store: InFlightStore;
  /** Packet identifiers, shared with the publisher (they outlive the connection). */
  readonly packetIds: PacketIdAllocator;
  /** The client's publisher: attached to this connection while it is open. */
  readonly publisher: OutboundPublisher;
  /** The client's subscriptions: brought up to date ({@link SubscriptionRegistry.restore}) on this connection. */
  readonly subscriptions: SubscriptionRegistry<M>;
  /** Builds the object handed to subscribers from an inbound PUBLISH (topic alias resolved). */
  readonly createMessage: (packet: PublishPacket) => M;
  /** A manual observer's own view of a message, whose ack() calls `handle.ack()`. Default: the message itself (no ack). */
  readonly manualView?: (message: M, handle: Ack) => M;
}

/** Options of {@link LiveSession.disconnect}. */
export interface SessionDisconnectOptions {
  /** Longest wait for in-flight flows before DISCONNECT is sent anyway, in milliseconds. */
  readonly timeout: number;
  readonly reasonCode?: number;
  readonly properties?: DisconnectProperties;
}

/**
 * One accepted MQTT connection with its flows running: the inbound pipeline (topic aliases, QoS 2
 * exactly once, QoS 1 acknowledgement, the inbound window, dispatch to subscriptions, acks to
 * waiting flows) and keep alive. It is the short-lived half of a {@link ClientSession}, which
 * attaches it: on construction the publisher is attached (resending a resumed session's flows in
 * order) and the subscriptions are restored for the session the CONNACK reports; on close the
 * publisher is detached and pending flows wait for the next connection. It exposes no state, only
 * what ends it.
 *
 * It starts working when constructed (hot) and ends once, {@link whenClosed} resolving to the
 * reason (undefined after a clean disconnect).
 *
 * @example
 * ```ts
 * const connection = new LiveSession(channel, connack, parts, { keepAlive: 60, topicAliasMaximum: 0 });
 * await connection.whenClosed();
 * ```
 */
export class LiveSession<M> {
  private readonly packetIds: PacketIdAllocator;
  private readonly acks = new AckRouter();
  private readonly publisher: OutboundPublisher;
  private readonly subscriptions: SubscriptionRegistry<M>;
  private readonly closed: Promise<MqttError | undefined>;
  private resolveClosed!: (error: MqttError | undefined) => void;
  private readonly running = new Subscription();
  private ended = false;
  private readonly send: (packet: Packet) => boolean;
  /** The inbound acknowledgements of this connection, in arrival order. */
  private readonly inbound: InboundAcks;
  private readonly dispatch = (topic: string, message: M): void => this.subscriptions.dispatch(topic, message);

  constructor(
    private readonly channel: PacketChannel,
    private readonly connack: ConnackPacket,
    private readonly parts: SessionParts<M>,
    private readonly options: AttachOptions,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    const props = connack.properties;
    const aliasMaximum = options.outboundTopicAliases === false ? 0 : (props?.topicAliasMaximum ?? 0);
    this.send = aliasMaximum === 0 ? (packet) => channel.send(packet) : aliasingSender(channel, new OutboundTopicAliases(aliasMaximum));
    const { sessionPresent } = connack;
    this.packetIds = parts.packetIds;
    this.publisher = parts.publisher;
    this.subscriptions = parts.subscriptions;
    let held = 0;
    if (sessionPresent) for (const _ of parts.store.inbound()) held++; // they wait for PUBREL on this connection
    this.inbound = new InboundAcks({
      send: this.send,
      store: parts.store,
      initialInUse: held,
      window: options.receiveMaximum,
      fail: (error) => this.close(asMqttError(error)),
    });
    channel.outgoingMaximumPacketSize = props?.maximumPacketSize; // [MQTT-3.2.2-15]
    this.startInbound();
    try {
      // Resend a resumed session's flows first, in their original order [MQTT-4.4.0-1].
      this.publisher.attach(
        {
          send: this.send,
          writable$: channel.writable$,
          acks: this.acks,
          receiveMaximum: props?.receiveMaximum ?? 65535, // [MQTT-3.3.4-7]
          check: (packet) => checkServerLimits(packet, connack),
          fit: (packet) => fitServerLimits(packet, connack, options.aboveMaximumQoS),
          fail: (error) => this.close(asMqttError(error)),
        },
        sessionPresent,
      );
      // Without a session on the server, the in-flight state of an earlier connection means nothing.
      if (!sessionPresent) parts.store.clear();
      this.startKeepalive();
      const view = parts.manualView ?? ((message: M) => message);
      this.subscriptions.restore(
        sessionPresent,
        {
          subscribe: (subscription, properties) => this.subscribeRequest(subscription, properties),
          unsubscribe: (topicFilter) => this.unsubscribeRequest(topicFilter),
        },
        {
          claim: (message, observer) => view(message, this.inbound.claim(observer)),
          left: (observer) => this.inbound.abandon(observer),
        },
      );
      this.publisher.flush();
    } catch (error) {
      // A store that fails while the session is set up (STORE_IO, STORE_CLOSED) ends this connection
      // with its error, like a failure later on; nothing escapes from the constructor.
      this.close(asMqttError(error));
    }
  }

  /** MQTT 5 re-authentication on this connection (see {@link ReauthenticateFlow}). */
  private reauthFlow: ReauthenticateFlow | undefined;
  private get reauth(): ReauthenticateFlow {
    return (this.reauthFlow ??= new ReauthenticateFlow(this.options.authentication, (packet) => this.channel.send(packet), (error) => this.close(error)));
  }

  /** Re-authenticates on this connection (AUTH 0x19 ... AUTH 0x00); see {@link ReauthenticateFlow.start}. */
  reauthenticate(data?: Uint8Array): Promise<void> {
    return this.reauth.start(data);
  }

  /** True until the session ended. */
  get isOpen(): boolean {
    return !this.ended;
  }

  /** Resolves once the connection ended: the error that ended it, or undefined after disconnect(). */
  whenClosed(): Promise<MqttError | undefined> {
    return this.closed;
  }

  /** Units of the inbound window in use: messages delivered and not yet acknowledged (QoS 2 until PUBCOMP). */
  windowInUse(): number {
    return this.inbound.inUse;
  }

  /** A SUBSCRIBE flow on this connection (cold; errors with ConnectionClosedError once it ended). */
  private subscribeRequest(subscription: MqttSubscription, properties: SubscribeProperties | undefined): Observable<SubackPacket> {
    const refused = checkSubscribeLimits(subscription, properties, this.connack); // what the CONNACK says is unsupported
    if (refused !== undefined) return throwError(() => refused);
    return this.request((packetId) => ({ type: 'subscribe', packetId, subscriptions: [subscription], properties }), subscribeFlow);
  }

  /** An UNSUBSCRIBE flow on this connection (cold; errors with ConnectionClosedError once it ended). */
  private unsubscribeRequest(topicFilter: string): Observable<UnsubackPacket> {
    return this.request((packetId) => ({ type: 'unsubscribe', packetId, topicFilters: [topicFilter] }), unsubscribeFlow);
  }

  /**
   * Waits (at most `timeout` ms) for every in-flight flow to finish, then sends DISCONNECT and closes.
   * Flows still running after the timeout fail with ConnectionClosedError.
   */
  async disconnect(options: SessionDisconnectOptions): Promise<void> {
    if (this.ended) return;
    await whenSettled(this.packetIds, this.publisher, this.closed, options.timeout);
    if (this.ended) return;
    const disconnect: DisconnectPacket = { type: 'disconnect', reasonCode: options.reasonCode, properties: options.properties };
    try {
      this.channel.send(disconnect);
    } catch {
      // An invalid reason code or properties must not keep the connection open; close regardless.
    }
    this.close(undefined);
  }

  /**
   * Ends the connection at once: the publisher is detached (its flows wait for a next connection),
   * SUBSCRIBE/UNSUBSCRIBE requests and flows fail with ConnectionClosedError through the ack router.
   */
  close(error: MqttError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.running.unsubscribe();
    if (this.channel.protocolVersion === 5 && (error instanceof ProtocolError || error instanceof DecodeError)) {
      try {
        this.channel.send({ type: 'disconnect', reasonCode: error.reasonCode }); // MQTT 5 section 4.13.1
      } catch {
        // The connection closes in any case.
      }
    }
    const closedError =
      error instanceof ConnectionClosedError
        ? error
        : new ConnectionClosedError(error === undefined ? 'the client disconnected' : `the connection closed: ${error.message}`, {
            cause: error,
          });
    this.reauth.end(closedError);
    this.inbound.close();
    this.publisher.detach();
    this.subscriptions.detach();
    this.acks.failAll(closedError);
    this.channel.close();
    this.resolveClosed(error);
  }

  /** A SUBSCRIBE or UNSUBSCRIBE flow holding a packet identifier until its ack (or the end). */
  private request<P extends Packet, A>(
    build: (packetId: number) => P,
    flow: (packet: P, context: OutboundFlowContext) => Observable<A>,
  ): Observable<A> {
    return new Observable<A>((subscriber) => {
      if (this.ended) {
        subscriber.error(new ConnectionClosedError('the connection is closed'));
        return;
      }
      const packetId = this.packetIds.allocate();
      const context = { send: this.send, acks: this.acks.acksFor(packetId), protocolVersion: this.channel.protocolVersion };
      const inner = flow(build(packetId), context);
      const subscription = inner.subscribe(subscriber);
      subscription.add(() => this.packetIds.release(packetId));
      return subscription;
    });
  }

  private startInbound(): void {
    const { topicAliasMaximum } = this.options;
    const { store } = this.parts;
    const subscriptions = this.subscriptions;
    const inbound = inboundPackets({
      send: this.send,
      store,
      protocolVersion: this.channel.protocolVersion,
      topicAliasMaximum,
      acks: this.inbound,
      // With a manual observer, a QoS 2 message counts as received when it is acknowledged.
      recordOnArrival: () => subscriptions.manualCount === 0,
    });
    const windowed =
      this.options.receiveMaximum === undefined
        ? this.channel.packets
        : this.channel.packets.pipe(
            inboundWindow({
              acks: this.inbound,
              pause: () => this.channel.pauseReading(),
              resume: () => this.channel.resumeReading(),
              strict: this.options.strictReceiveMaximum === true && this.channel.protocolVersion === 5,
            }),
          );
    this.running.add(
      windowed.pipe(inbound).subscribe({
        next: (packet) => {
          try {
            this.onPacket(packet);
          } catch (error) {
            // e.g. a PUBREL that cannot be sent, a message that cannot be built: end the connection
            // with it rather than let it escape as an uncaught exception.
            this.close(asMqttError(error));
          }
        },
        error: (error: unknown) => this.close(asMqttError(error)),
        complete: () => this.close(new ConnectionClosedError('the server closed the connection')),
      }),
    );
  }

  private onPacket(packet: Packet): void {
    switch (packet.type) {
      case 'publish':
        // QoS 0 with no manual observer anywhere: nothing to count or acknowledge.
        if (packet.qos === 0 && this.subscriptions.manualCount === 0) this.subscriptions.dispatch(packet.topic, this.parts.createMessage(packet));
        else this.inbound.deliver(packet, this.parts.createMessage(packet), this.dispatch);
        return;
      case 'pubrec':
        // A PUBREC nobody waits for (e.g. after a lost session) still needs its PUBREL, so the
        // server can finish; MQTT 5 says the identifier is unknown (0x92).
        // One for a resumed flow still waiting for a window slot is the publisher's (its PUBLISH went out
        // on an earlier connection: Mosquitto resends such PUBRECs on reconnect).
        if (!this.acks.route(packet) && !this.publisher.acknowledgeWaiting(packet)) {
          const { packetId } = packet;
          this.send(this.channel.protocolVersion === 5 ? { type: 'pubrel', packetId, reasonCode: 0x92 } : { type: 'pubrel', packetId });
        }
        return;
      case 'puback':
        if (!this.acks.route(packet)) this.publisher.acknowledgeWaiting(packet);
        return;
      case 'pubcomp':
      case 'suback':
      case 'unsuback':
        this.acks.route(packet);
        return;
      case 'pingresp':
        return;
      case 'auth':
        this.reauth.onAuth(packet);
        return;
      case 'disconnect': {
        const code = packet.reasonCode ?? 0;
        const reason = packet.properties?.reasonString;
        this.close(
          new ConnectionClosedError(
            `the server disconnected with reason code 0x${code.toString(16).padStart(2, '0')}${reason ? `: ${reason}` : ''}`,
            { reasonCode: code, code: 'SERVER_DISCONNECT', serverReference: packet.properties?.serverReference },
          ),
        );
        return;
      }
      default:
        this.close(new ProtocolError(`unexpected ${packet.type.toUpperCase()} from the server`));
    }
  }

  private startKeepalive(): void {
    const seconds = this.connack.properties?.serverKeepAlive ?? this.options.keepAlive; // [MQTT-3.2.2-21]
    if (seconds === 0) return;
    const intervalMs = seconds * 1000;
    this.running.add(
      keepalive({
        intervalMs,
        responseTimeoutMs: this.options.pingTimeout ?? intervalMs / 2,
        sent: this.channel.sent,
        received: this.channel.packets,
        ping: () => this.send({ type: 'pingreq' }),
        isPaused: () => this.channel.isReadingPaused,
        probe$: this.options.probe$,
        scheduler: this.options.scheduler ?? asyncScheduler,
      }).subscribe({ error: (error: unknown) => this.close(asMqttError(error)) }),
    );
  }
}

/** Sends PUBLISH packets with the connection's topic aliases applied, the rest as they are. */
function aliasingSender(channel: PacketChannel, aliases: OutboundTopicAliases): (packet: Packet) => boolean {
  return (packet) => {
    if (packet.type !== 'publish') return channel.send(packet);
    const aliased = aliases.apply(packet);
    try {
      return channel.send(aliased);
    } catch (error) {
      if (aliased !== packet) aliases.forget(packet.topic); // the server never learnt the alias
      throw error;
    }
  };
}

function asMqttError(error: unknown): MqttError {
  if (error instanceof MqttError) return error;
  return new MqttError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}
