import type { Subscription as RxSubscription } from 'rxjs';
import { encode, type EncodeOptions } from '../codec/encode.js';
import type { ServerAuthExchange } from '../auth/authentication.js';
import type { AuthPacket, Packet } from '../codec/packet.js';
import { ConnectionClosedError, DecodeError, EncodeError, MqttError, ProtocolError } from '../errors.js';
import { PacketFramer } from '../operators/packet-framer.js';
import type { Transport } from '../transport/transport.js';
import type { BrokerCore, ConnectionControl } from './broker-core.js';
import type { BrokerMessage } from './broker-message.js';
import { acceptConnect, refusalConnack, type ConnectOutcome } from './connect-flow.js';
import { handleReauth } from './enhanced-auth-flow.js';
import type { FlowConnection } from './flow-connection.js';
import { InboundTopicAliases } from './inbound-topic-aliases.js';
import { KeepAliveTimer } from './keep-alive-timer.js';
import type { OutboundTopicAliases } from './outbound-topic-aliases.js';
import { OrderedSteps, type Step } from './ordered-steps.js';
import { OutboundBudget } from './outbound-budget.js';
import { peekProtocolLevel } from './peek-protocol-level.js';
import { handlePublish, handlePubrel } from './publish-flow.js';
import type { Session, SessionLink } from './session.js';
import { handleSubscribe, handleUnsubscribe } from './subscribe-flow.js';

/**
 * One client connection on the broker: decodes the transport's bytes into packets, runs each
 * packet through its flow (CONNECT, PUBLISH, SUBSCRIBE, ...) in arrival order, enforces keep alive,
 * and cleans up (will, session expiry) when the connection ends. A malformed packet or protocol
 * violation closes this connection only (MQTT 5: after a DISCONNECT with the reason code).
 *
 * The connection is the only writer of its state: flows see it through {@link FlowConnection}
 * (read-only views and a few actions) and return what should change (the CONNECT outcome), which
 * {@link ClientConnection.applyConnect} applies.
 */
export class ClientConnection implements ConnectionControl, SessionLink, FlowConnection {
  private version: 4 | 5 = 4;
  private window: number;
  private phase: 'new' | 'connecting' | 'connected' | 'closed' = 'new';
  private id: string | undefined = undefined;
  private user: string | undefined = undefined;
  private session: Session | undefined = undefined;
  private will: BrokerMessage | undefined = undefined;
  private willDelay = 0;
  /** The Session Expiry Interval the CONNECT asked for (MQTT 5), to check DISCONNECT against. */
  private connectSessionExpiry = 0;
  /** The encoder's options: the protocol version and the client's Maximum Packet Size (MQTT 5). One object, reused by every send. */
  private encodeOptions: EncodeOptions = { protocolVersion: 4, maximumPacketSize: undefined };
  /** Topic aliases for what this connection is sent (MQTT 5, when the client allows any). */
  private outboundAliases: OutboundTopicAliases | undefined = undefined;
  /** Topic aliases the client set towards the broker (MQTT 5). */
  private readonly topicAliases: InboundTopicAliases;
  /** The client's and the broker's one framing path (the same as decodePackets'). */
  private readonly framer: PacketFramer;
  private subscription: RxSubscription | undefined;
  private readonly steps = new OrderedSteps<Packet>(
    (packet) => this.handle(packet),
    () => this.phase !== 'closed',
    (error) => this.fail(error),
  );
  private readonly onPacket = (packet: Packet): void => this.steps.push(packet);
  private readonly keepAlive = new KeepAliveTimer((why) => this.onExpired(why));
  /** Holds in force (publisher held back): reading is paused while above 0. */
  private holds = 0;
  private lastError: MqttError | undefined;
  /** MQTT 5 enhanced authentication: the method, the CONNECT exchange waiting for AUTH, a running re-authentication. */
  private auth: { method?: string; connecting?: (packet: AuthPacket) => Promise<ConnectOutcome | undefined>; reauth?: ServerAuthExchange } = {};
  private head = new Uint8Array(0);
  private readonly budget: OutboundBudget;
  private writableSubscription: RxSubscription | undefined;

  constructor(
    readonly core: BrokerCore,
    private readonly transport: Transport,
  ) {
    this.window = core.limits.maxInflight;
    this.framer = new PacketFramer({ maximumPacketSize: core.limits.maxPacketSize });
    this.topicAliases = new InboundTopicAliases(core.limits.topicAliasMaximum);
    this.budget = new OutboundBudget(core.limits.outboundBudget, core.limits.slowClientTimeout, (ms) => this.tooSlow(ms));
  }

  get protocolVersion(): 4 | 5 {
    return this.version;
  }

  /** Outbound QoS 1/2 window: min(limits.maxInflight, the client's Receive Maximum). */
  get inflightWindow(): number {
    return this.window;
  }

  get state(): 'new' | 'connecting' | 'connected' | 'closed' {
    return this.phase;
  }

  get clientId(): string | undefined {
    return this.id;
  }

  get username(): string | undefined {
    return this.user;
  }

  /** Starts reading. A client that sends no CONNECT within `limits.connectTimeout` is dropped. */
  start(): void {
    this.core.sockets.add(this);
    this.subscription = this.transport.incoming.subscribe({
      next: (chunk) => this.onBytes(chunk),
      error: (error: unknown) => this.onEnd(false, true, error instanceof MqttError ? error : undefined),
      // A stream that ends inside a packet reports DECODE_TRUNCATED, as on the client's side.
      complete: () => {
        try {
          this.framer.end();
        } catch (error) {
          return this.onEnd(false, true, error as MqttError);
        }
        return this.onEnd(false, true, undefined);
      },
    });
    if (this.phase === 'new') this.keepAlive.awaitConnect(this.core.limits.connectTimeout);
    this.writableSubscription = this.transport.writable$?.subscribe(this.onWritable);
  }

  /**
   * False while the client reads too slowly: the transport said its buffer is full and the broker
   * has since handed it `limits.outboundBudget` bytes more. Then QoS 0 messages are dropped (counted)
   * and QoS 1/2 messages wait in the session's queue until the transport drains.
   */
  get writable(): boolean {
    return this.budget.writable;
  }

  /** Encodes and writes a packet; false when it exceeds the client's Maximum Packet Size. */
  send(packet: Packet): boolean {
    if (this.phase === 'closed') return false;
    // What the packet tells the client (an acknowledgement, a packet id) is in the log first.
    this.core.persistence?.flush();
    let bytes: Uint8Array;
    let aliased: { readonly packet: Packet; readonly fresh: boolean } | undefined;
    if (packet.type === 'publish' && this.outboundAliases !== undefined) aliased = this.outboundAliases.apply(packet);
    try {
      bytes = encode(aliased?.packet ?? packet, this.encodeOptions);
    } catch (error) {
      if (error instanceof EncodeError && packet.type === 'publish') {
        if (aliased?.fresh === true) this.outboundAliases?.forget(packet.topic); // the client never learned it
        return false;
      }
      throw error;
    }
    const traffic = this.core.traffic;
    traffic.bytesSent += bytes.length;
    if (packet.type === 'publish') traffic.messagesSent++;
    this.budget.sent(bytes.length, this.transport.send(bytes), this.transport.writable$ !== undefined);
    return true;
  }

  /** Writes bytes as they are (a 3.1.1 CONNACK to a client whose version is not supported). */
  sendRaw(bytes: Uint8Array): void {
    this.transport.send(bytes);
  }

  /** Closes from the broker's side; MQTT 5 clients that completed CONNECT get DISCONNECT `reasonCode` first. */
  terminate(reasonCode: number, publishWill: boolean): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'connected' && this.protocolVersion === 5 && reasonCode !== 0) {
      try {
        this.send({ type: 'disconnect', reasonCode });
      } catch {
        // The DISCONNECT is a courtesy; the connection closes regardless.
      }
    }
    this.onEnd(false, publishWill, undefined);
  }

  /** The client sent DISCONNECT (MQTT 5 reason 0x04 keeps the will). */
  disconnectedByClient(publishWill: boolean): void {
    this.onEnd(true, publishWill, undefined);
  }

  /**
   * Applies what the CONNECT flow decided: a refusal (CONNACK with the code, then close
   * [MQTT-3.2.2-7]) or the accepted state, after which it answers CONNACK and attaches the session
   * (which resends what it still owes).
   */
  applyConnect(outcome: ConnectOutcome | undefined): void {
    if (outcome === undefined) return;
    if (this.phase !== 'connecting') {
      // Closed while the flow ran: the session it resumed goes back to the store.
      if (outcome.kind === 'accepted') this.core.sessions.release(outcome.session);
      return;
    }
    if (outcome.kind === 'refused') {
      this.send(refusalConnack(this.version, outcome.reasonCode));
      this.terminate(0, false);
      return;
    }
    if (outcome.kind === 'challenge') {
      // Enhanced authentication goes on: AUTH 0x18 with the CONNECT's method [MQTT-4.12.0-2].
      this.auth = { connecting: outcome.next };
      this.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: outcome.method, authenticationData: outcome.data } });
      return;
    }
    this.auth = { method: outcome.authenticationMethod };
    const { clientId, session } = outcome;
    this.id = clientId;
    this.user = outcome.username;
    this.session = session;
    this.will = outcome.will;
    this.willDelay = outcome.willDelay;
    this.connectSessionExpiry = outcome.requestedSessionExpiry;
    this.window = outcome.inflightWindow;
    this.encodeOptions = { protocolVersion: this.version, maximumPacketSize: outcome.clientMaximumPacketSize };
    this.outboundAliases = outcome.outboundAliases;
    this.core.connections.set(clientId, this);
    this.phase = 'connected';
    this.keepAlive.connected(outcome.keepAlive);
    this.send(outcome.connack);
    if (this.core.events.observed) {
      this.core.events.emit({ type: 'clientConnected', clientId, username: this.user, protocolVersion: this.version, sessionPresent: outcome.connack.sessionPresent });
    }
    session.attach(this, Date.now());
  }

  holdReading(done: Promise<unknown>): void {
    if (this.phase === 'closed') return;
    if (this.holds++ === 0) {
      this.transport.pause?.();
      this.keepAlive.pause();
    }
    const release = (): void => {
      if (--this.holds > 0 || this.phase === 'closed') return;
      this.keepAlive.resume();
      this.transport.resume?.();
    };
    done.then(release, release);
  }

  /** Closes this connection for a protocol violation or malformed input. */
  fail(error: unknown): void {
    if (this.phase === 'closed') return;
    const mqttError = error instanceof MqttError ? error : new ProtocolError(`internal error: ${String(error)}`, { reasonCode: 0x83, cause: error });
    if (this.core.events.observed) this.core.events.emit({ type: 'connectionError', clientId: this.clientId, error: mqttError });
    const reasonCode = mqttError instanceof DecodeError || mqttError instanceof ProtocolError ? mqttError.reasonCode : 0x83;
    if (this.phase === 'new' || this.phase === 'connecting') {
      if (mqttError instanceof DecodeError && mqttError.code === 'DECODE_UNSUPPORTED_PROTOCOL_VERSION') {
        // Unacceptable protocol level: CONNACK 0x01 in 3.1.1 form, then close [MQTT-3.1.2-2].
        this.sendRaw(Uint8Array.of(0x20, 0x02, 0x00, 0x01));
      } else if (mqttError instanceof DecodeError && (this.framer.protocolVersion ?? peekProtocolLevel(this.head)) === 5) {
        // A malformed 5.0 CONNECT: a CONNACK with the reason code, then close [MQTT-3.1.4-1].
        this.version = 5;
        this.encodeOptions = { protocolVersion: 5, maximumPacketSize: undefined };
        try {
          this.send({ type: 'connack', sessionPresent: false, reasonCode: reasonCode >= 0x80 ? reasonCode : 0x81 });
        } catch {
          // Closing regardless.
        }
      }
      this.onEnd(false, false, mqttError);
      return;
    }
    this.lastError = mqttError;
    this.terminate(reasonCode, true);
  }

  private onBytes(received: Uint8Array): void {
    this.keepAlive.heard();
    // Node hands Buffers: a plain Uint8Array view of each chunk makes the decoded payloads plain
    // views too, which are cheaper to make than Buffer views, and whose slice() is a copy (a
    // Buffer's slice() is another view, which would pin the whole chunk in a kept message).
    const chunk = received.constructor === Uint8Array ? received : new Uint8Array(received.buffer, received.byteOffset, received.byteLength);
    this.core.traffic.bytesReceived += chunk.length;
    // Until CONNECT is in, keep its first bytes: they tell the version of a CONNECT that fails to decode.
    if (this.phase === 'new' && this.head.length < 16) {
      const head = new Uint8Array(Math.min(16, this.head.length + chunk.length));
      head.set(this.head);
      head.set(chunk.subarray(0, head.length - this.head.length), this.head.length);
      this.head = head;
    }
    try {
      this.framer.write(chunk, this.onPacket);
    } catch (error) {
      this.fail(error);
    }
  }

  private handle(packet: Packet): Step {
    try {
      if (this.phase === 'new') {
        if (packet.type !== 'connect') throw new ProtocolError(`expected CONNECT first, got ${packet.type.toUpperCase()}`, { specRef: 'MQTT-3.1.0-1' });
        this.phase = 'connecting';
        this.version = packet.protocolVersion;
        this.encodeOptions = { protocolVersion: this.version, maximumPacketSize: undefined };
        const outcome = acceptConnect(this, packet);
        if (!(outcome instanceof Promise)) return this.applyConnect(outcome);
        return guard(this, outcome.then((o) => this.applyConnect(o)));
      }
      if (this.phase === 'connecting') return this.handleConnecting(packet);
      if (this.phase !== 'connected') return undefined;
      const session = this.session as Session;
      switch (packet.type) {
        case 'publish':
          return guard(this, handlePublish(this, session, packet, this.topicAliases.resolve(packet)));
        case 'puback':
          session.onPuback(packet.packetId);
          return undefined;
        case 'pubrec':
          session.onPubrec(packet.packetId, packet.reasonCode ?? 0);
          return undefined;
        case 'pubrel':
          handlePubrel(this, session, packet.packetId);
          return undefined;
        case 'pubcomp':
          session.onPubcomp(packet.packetId);
          return undefined;
        case 'subscribe':
          return guard(this, handleSubscribe(this, session, packet));
        case 'unsubscribe':
          handleUnsubscribe(this, session, packet);
          return undefined;
        case 'pingreq':
          this.send({ type: 'pingresp' });
          return undefined;
        case 'disconnect':
          return this.onDisconnect(packet.reasonCode ?? 0, packet.properties?.sessionExpiryInterval);
        case 'auth':
          return guard(this, handleReauth(this, this.auth.method, this.auth.reauth, packet).then((running) => void (this.auth = { method: this.auth.method, reauth: running })));
        case 'connect':
          throw new ProtocolError('a second CONNECT on one connection', { specRef: 'MQTT-3.1.0-2' });
        default:
          throw new ProtocolError(`a client may not send ${packet.type.toUpperCase()} here`);
      }
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** Between CONNECT and CONNACK: the client's AUTH answers an enhanced authentication challenge. */
  private handleConnecting(packet: Packet): Step {
    const next = this.auth.connecting;
    if (packet.type === 'auth' && next !== undefined) {
      this.auth = {};
      return guard(this, next(packet).then((o) => this.applyConnect(o)));
    }
    // Before CONNACK only AUTH and DISCONNECT may come [MQTT-3.1.2-30]; a DISCONNECT ends the attempt.
    if (packet.type === 'disconnect') this.onEnd(true, false, undefined);
    return undefined;
  }

  private onDisconnect(reasonCode: number, sessionExpiry: number | undefined): void {
    const session = this.session as Session;
    if (sessionExpiry !== undefined) {
      // A session that was to end with the connection may not be extended now [MQTT-3.14.2-2].
      if (this.connectSessionExpiry === 0 && sessionExpiry !== 0) {
        throw new ProtocolError('DISCONNECT sets a Session Expiry Interval after CONNECT set 0', { specRef: 'MQTT-3.14.2-2' });
      }
      session.expiryInterval = sessionExpiry === 0xffffffff ? Infinity : Math.min(sessionExpiry, this.core.limits.maxSessionExpiryInterval ?? Infinity);
    }
    // A normal DISCONNECT discards the will [MQTT-3.1.2-10]; MQTT 5 reason 0x04 asks to send it.
    this.disconnectedByClient(this.protocolVersion === 5 && reasonCode === 0x04);
  }

  private onEnd(graceful: boolean, publishWill: boolean, error: MqttError | undefined): void {
    if (this.phase === 'closed') return;
    const wasConnected = this.phase === 'connected';
    this.phase = 'closed';
    this.keepAlive.stop();
    this.subscription?.unsubscribe();
    this.writableSubscription?.unsubscribe();
    this.budget.stop();
    this.transport.close();
    this.core.sockets.delete(this);
    this.steps.clear();
    const session = this.session;
    const clientId = this.clientId;
    if (!wasConnected || session === undefined || clientId === undefined) return;
    session.detach(this);
    if (this.core.connections.get(clientId) === this) this.core.connections.delete(clientId);
    if (this.core.closed) return;
    // The will goes out on any end but a normal DISCONNECT [MQTT-3.1.2-8].
    if (publishWill && this.will !== undefined) this.core.wills.schedule(clientId, this.will, this.willDelay);
    this.will = undefined;
    this.core.sessions.release(session);
    if (this.core.events.observed) {
      this.core.events.emit({ type: 'clientDisconnected', clientId, graceful, error: error ?? this.lastError });
    }
  }

  /** Over the outbound budget for `slowClientTimeout` (ms): disconnected as too slow. */
  private tooSlow(ms: number): void {
    if (this.phase !== 'connected') return;
    this.lastError = new ConnectionClosedError(`the client read too slowly: over its outbound budget for ${ms} ms`, { code: 'SLOW_CLIENT', reasonCode: 0x97 });
    if (this.core.events.observed) this.core.events.emit({ type: 'connectionError', clientId: this.id, error: this.lastError });
    this.terminate(0x97, true); // Quota exceeded
  }

  /** The transport drained: the budget is back, and what waits in the session's queue goes out. */
  private readonly onWritable = (): void => {
    this.budget.drained();
    if (this.phase === 'connected') this.session?.resumeSending();
  };

  private onExpired(why: 'connect' | 'keepAlive'): void {
    if (why === 'connect') {
      if (this.phase === 'new' || this.phase === 'connecting') {
        this.fail(new ProtocolError('no CONNECT within the connect timeout', { code: 'CONNECT_TIMEOUT', reasonCode: 0x8d }));
      }
      return;
    }
    // Nothing heard for 1.5 times the keep alive: close as if the network failed [MQTT-3.1.2-24].
    if (this.phase === 'connected') {
      this.fail(new ProtocolError('keep alive timeout', { code: 'KEEPALIVE_TIMEOUT', reasonCode: 0x8d, specRef: 'MQTT-3.1.2-24' }));
    }
  }
}

/** Turns a rejected async step into a failure of this connection. */
function guard(connection: ClientConnection, step: Step): Step {
  return step === undefined ? undefined : step.catch((error: unknown) => connection.fail(error));
}
