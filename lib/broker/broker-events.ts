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
  readonly type: 'clientConnected';
  readonly clientId: string;
  readonly username: string | undefined;
  readonly protocolVersion: 4 | 5;
  readonly sessionPresent: boolean;
}

/** A connected client went away. `error` says why when it was not a normal DISCONNECT. */
export interface ClientDisconnectedEvent {
  readonly type: 'clientDisconnected';
  readonly clientId: string;
  /** True when the client sent DISCONNECT (any reason code). */
  readonly graceful: boolean;
  readonly error: MqttError | undefined;
}

/** A message was accepted for routing (from a client, a will, or {@link BrokerHandle.publish}). */
export interface PublishedEvent {
  readonly type: 'published';
  /** The publisher, undefined for messages the broker published itself. */
  readonly clientId: string | undefined;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: PublishProperties | undefined;
}

/** A subscription was granted. */
export interface SubscribedEvent {
  readonly type: 'subscribed';
  readonly clientId: string;
  readonly topicFilter: string;
  readonly qos: QoS;
}

/** A subscription was removed by UNSUBSCRIBE. */
export interface UnsubscribedEvent {
  readonly type: 'unsubscribed';
  readonly clientId: string;
  readonly topicFilter: string;
}

/** A connection was refused or closed for breaking the protocol (malformed packet, bad CONNECT, ...). */
export interface ConnectionErrorEvent {
  readonly type: 'connectionError';
  readonly clientId: string | undefined;
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
  readonly type: 'messagesDropped';
  readonly clientId: string;
  /**
   * `notAuthorized`: a 3.1.1 PUBLISH the authorize hook refused, acknowledged and dropped because
   * 3.1.1 has no way to refuse it on the wire [MQTT-3.3.5-2] (a 5.0 publisher is told 0x87 instead).
   */
  readonly reason: 'queueFull' | 'tooLarge' | 'slowClient' | 'notAuthorized';
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
  readonly type: 'sessionEnded';
  readonly clientId: string;
  readonly reason: 'expired' | 'evicted';
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
  readonly type: 'connectionRefused';
  readonly clientId: string | undefined;
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
