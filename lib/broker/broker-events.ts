import { Subject, type Observable } from 'rxjs';
import type { QoS } from '../codec/packet.js';
import type { PublishProperties } from '../codec/properties.js';
import type { MqttError } from '../errors.js';

/**
 * A client finished CONNECT and got CONNACK 0x00.
 *
 * @example
 * ```ts
 * const first = await firstValueFrom(broker.clientConnected$); // { type: 'clientConnected', clientId: 'sensor-1', ... }
 * ```
 */
export interface ClientConnectedEvent {
  /** The event's kind: `'clientConnected'`. */
  readonly type: 'clientConnected';
  /** The identifier the client connected with (assigned by the broker for an empty one). */
  readonly clientId: string;
  /** The CONNECT username, if any. */
  readonly username: string | undefined;
  /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. */
  readonly protocolVersion: 4 | 5;
  /** True when a stored session was resumed (the CONNACK said so). */
  readonly sessionPresent: boolean;
}

/** A connected client went away. `error` says why when it was not a normal DISCONNECT. */
export interface ClientDisconnectedEvent {
  /** The event's kind: `'clientDisconnected'`. */
  readonly type: 'clientDisconnected';
  /** The client that went away. */
  readonly clientId: string;
  /** True when the client sent DISCONNECT (any reason code). */
  readonly graceful: boolean;
  /** Why the connection ended, when it was not a normal DISCONNECT (network loss, protocol error, takeover, keep alive). */
  readonly error: MqttError | undefined;
}

/** A message was accepted for routing (from a client, a will, or {@link BrokerHandle.publish}). */
export interface PublishedEvent {
  /** The event's kind: `'published'`. */
  readonly type: 'published';
  /** The publisher, undefined for messages the broker published itself. */
  readonly clientId: string | undefined;
  /** The topic the message was published to. */
  readonly topic: string;
  /** The message bytes. */
  readonly payload: Uint8Array;
  /** The QoS it was published with. */
  readonly qos: QoS;
  /** True when it was published as retained. */
  readonly retain: boolean;
  /** Its MQTT 5 properties, if any. */
  readonly properties: PublishProperties | undefined;
}

/** A subscription was granted. */
export interface SubscribedEvent {
  /** The event's kind: `'subscribed'`. */
  readonly type: 'subscribed';
  /** The subscribing client. */
  readonly clientId: string;
  /** The filter granted (with its `$share/group/` prefix for a shared subscription). */
  readonly topicFilter: string;
  /** The QoS granted. */
  readonly qos: QoS;
}

/** A subscription was removed by UNSUBSCRIBE. */
export interface UnsubscribedEvent {
  /** The event's kind: `'unsubscribed'`. */
  readonly type: 'unsubscribed';
  /** The unsubscribing client. */
  readonly clientId: string;
  /** The filter removed. */
  readonly topicFilter: string;
}

/** A connection was refused or closed for breaking the protocol (malformed packet, bad CONNECT, ...). */
export interface ConnectionErrorEvent {
  /** The event's kind: `'connectionError'`. */
  readonly type: 'connectionError';
  /** The client, undefined when the connection failed before a valid CONNECT. */
  readonly clientId: string | undefined;
  /** What was wrong (DecodeError, ProtocolError, ...). */
  readonly error: MqttError;
}

/**
 * Messages meant for a session were dropped: a QoS 1/2 message because its queue was full
 * (`maxQueuedMessages`) or it was larger than the client's Maximum Packet Size, a QoS 0 message
 * because the client reads too slowly (`slowClient`: its connection is over `outboundBudget`).
 * Drops are counted, never silent.
 *
 * @example
 * ```ts
 * broker.events$.pipe(filter((e) => e.type === 'messagesDropped')).subscribe((e) => console.warn(e.clientId, e.reason, e.count));
 * ```
 */
export interface MessagesDroppedEvent {
  /** The event's kind: `'messagesDropped'`. */
  readonly type: 'messagesDropped';
  /** The session the messages were meant for. */
  readonly clientId: string;
  /**
   * `notAuthorized`: a 3.1.1 PUBLISH the authorize hook refused, acknowledged and dropped because
   * 3.1.1 has no way to refuse it on the wire [MQTT-3.3.5-2] (a 5.0 publisher is told 0x87 instead).
   */
  readonly reason: 'queueFull' | 'tooLarge' | 'slowClient' | 'notAuthorized';
  /** How many messages were dropped at once. */
  readonly count: number;
}

/**
 * A stored session ended without its client: its expiry interval ran out (`expired`), or it was the
 * oldest disconnected session and made room for a new client when `maxSessions` was reached
 * (`evicted`). `droppedMessages` counts the queued and in-flight QoS 1/2 messages it still held:
 * acknowledged to their publishers and now never delivered.
 *
 * @example
 * ```ts
 * broker.events$.pipe(filter((e) => e.type === 'sessionEnded')).subscribe((e) => console.log(e.clientId, e.reason, e.droppedMessages));
 * ```
 */
export interface SessionEndedEvent {
  /** The event's kind: `'sessionEnded'`. */
  readonly type: 'sessionEnded';
  /** The session's client identifier. */
  readonly clientId: string;
  /** `expired` (its expiry interval ran out) or `evicted` (room for a new session at `maxSessions`). */
  readonly reason: 'expired' | 'evicted';
  /** Queued and in-flight QoS 1/2 messages it still held, now never delivered. */
  readonly droppedMessages: number;
}

/**
 * A client was turned away: by `maxConnections` (the socket is closed before CONNECT is read,
 * `clientId` undefined), by `maxSessions` with every stored session online (CONNACK 0x03 on
 * 3.1.1, 0x97 on 5.0), or by the WebSocket listener's `allowedOrigins` (HTTP 403 at the upgrade;
 * `origin` says which page tried).
 *
 * @example
 * ```ts
 * broker.events$.pipe(filter((e) => e.type === 'connectionRefused')).subscribe((e) => console.warn(e.reason));
 * ```
 */
export interface ConnectionRefusedEvent {
  /** The event's kind: `'connectionRefused'`. */
  readonly type: 'connectionRefused';
  /** The client, undefined when refused before CONNECT was read. */
  readonly clientId: string | undefined;
  /** Which limit or policy refused it. */
  readonly reason: 'maxConnections' | 'maxSessions' | 'origin';
  /** The refused page's Origin (reason `origin` only). */
  readonly origin?: string;
}

/**
 * Everything {@link BrokerHandle.events$} reports, discriminated by `type`.
 *
 * @example
 * ```ts
 * broker.events$.subscribe((e) => {
 *   if (e.type === 'clientConnected') console.log(e.clientId, 'connected');
 *   if (e.type === 'connectionError') console.warn(e.error.code, e.error.message);
 * });
 * ```
 */
export type BrokerEvent =
  | ClientConnectedEvent
  | ClientDisconnectedEvent
  | PublishedEvent
  | SubscribedEvent
  | UnsubscribedEvent
  | ConnectionErrorEvent
  | MessagesDroppedEvent
  | SessionEndedEvent
  | ConnectionRefusedEvent;

/**
 * The broker's event streams. All are hot (they report what happens while subscribed, no replay)
 * and complete when the broker closes. Events are only built when someone listens.
 */
export class BrokerEvents {
  private readonly subject = new Subject<BrokerEvent>();
  /** Every event. */
  readonly events$: Observable<BrokerEvent> = this.subject.asObservable();

  /** True when someone listens (so the caller can skip building an event). */
  get observed(): boolean {
    return this.subject.observed;
  }

  emit(event: BrokerEvent): void {
    this.subject.next(event);
  }

  complete(): void {
    this.subject.complete();
  }
}
