import { filter, type Observable } from 'rxjs';
import type { QoS } from '../codec/packet.js';
import { topicNameProblem } from '../codec/topic.js';
import type { PublishProperties } from '../codec/properties.js';
import { InvalidArgumentError, TransportError } from '../errors.js';
import { socketTransport } from '../node/socket-transport.js';
import type { Transport } from '../transport/transport.js';
import { BrokerCore } from './broker-core.js';
import { BrokerPersistence } from './broker-persistence.js';
import type {
  BrokerEvent,
  ClientConnectedEvent,
  ClientDisconnectedEvent,
  PublishedEvent,
  SubscribedEvent,
  UnsubscribedEvent,
} from './broker-events.js';
import { brokerMessage } from './broker-message.js';
import { resolveBrokerOptions, type BrokerOptions } from './broker-options.js';
import { startSysTopics } from './sys-topics.js';
import { ClientConnection } from './client-connection.js';
import { listenTcp, type Listener } from './tcp-listener.js';
import { listenWebSocket } from './ws-listener.js';

/**
 * A running broker, as returned by {@link startBroker}.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ port: 0 });
 * broker.published$.subscribe((m) => console.log(m.clientId, m.topic));
 * broker.publish('greetings', 'hello', { retain: true });
 * await broker.close();
 * ```
 */
export interface BrokerHandle {
  /** The address the listeners are bound to. */
  readonly host: string;
  /** Port of the MQTT/TCP listener. */
  readonly port: number;
  /** `mqtt://host:port` */
  readonly url: string;
  /** Port of the WebSocket listener, when one runs. */
  readonly wsPort: number | undefined;
  /** `ws://host:port/path` when a websocket listener runs. */
  readonly wsUrl: string | undefined;
  /** Port of the TLS listener, when one runs. */
  readonly tlsPort: number | undefined;
  /** `mqtts://host:port` when a TLS listener runs. */
  readonly tlsUrl: string | undefined;
  /** Every event (hot, no replay; completes on close). */
  readonly events$: Observable<BrokerEvent>;
  /** Clients that completed CONNECT. */
  readonly clientConnected$: Observable<ClientConnectedEvent>;
  /** Connected clients that went away (DISCONNECT, network loss, protocol error, takeover). */
  readonly clientDisconnected$: Observable<ClientDisconnectedEvent>;
  /** Every message accepted for routing. */
  readonly published$: Observable<PublishedEvent>;
  /** Subscriptions granted. */
  readonly subscribed$: Observable<SubscribedEvent>;
  /** Subscriptions removed by UNSUBSCRIBE. */
  readonly unsubscribed$: Observable<UnsubscribedEvent>;
  /** Client ids with a live connection. */
  readonly connectedClients: readonly string[];
  /** Sessions held (online and offline). */
  readonly sessionCount: number;
  /** Topics holding a retained message. */
  readonly retainedCount: number;
  /**
   * QoS 1/2 messages dropped since start: queue full, too large for the client, or held by a session
   * that expired or was evicted. Each drop is also reported in `events$`.
   */
  readonly droppedMessages: number;
  /** Connections turned away by `maxConnections`, or by `maxSessions` with every stored session online. */
  readonly refusedConnections: number;
  /** PUBLISH packets and bytes received from and sent to clients since start (a snapshot). */
  readonly traffic: {
    /** PUBLISH packets received from clients. */
    readonly messagesReceived: number;
    /** PUBLISH packets sent to clients. */
    readonly messagesSent: number;
    /** Bytes received from clients (every packet). */
    readonly bytesReceived: number;
    /** Bytes sent to clients (every packet). */
    readonly bytesSent: number;
  };
  /**
   * Publishes a message from the broker itself, routed like a client's (retained when `retain`).
   * Throws InvalidArgumentError for an empty topic or one with wildcards.
   */
  publish(topic: string, payload: string | Uint8Array, options?: { qos?: QoS; retain?: boolean; properties?: PublishProperties }): void;
  /**
   * Serves a connection that arrived some other way, e.g. the server end of an in-memory transport
   * pair: `memoryTransportFactory((server) => broker.accept(server))` gives a client a broker
   * without sockets. Throws a TransportError (code `BROKER_CLOSED`) after {@link BrokerHandle.close}.
   */
  accept(transport: Transport): void;
  /** Closes every connection (MQTT 5 clients get DISCONNECT 0x8B), frees every port; resolves when done. Idempotent. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Starts an MQTT 3.1.1 + 5.0 broker in this process, listening on loopback by default.
 * Resolves once every listener is bound; rejects with InvalidArgumentError for bad options or a
 * TransportError (code `LISTEN_FAILED`, or `WS_MISSING` without the `ws` package) when a port
 * cannot be bound (listeners already started are closed again). With `persistence`, the log is read
 * first: a damaged one rejects with StoreCorruptError (`STORE_CORRUPT` with the byte offset, or
 * `STORE_WRONG_FILE`), an unreadable directory with StoreError `STORE_IO`.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ port: 0 });
 * broker.clientConnected$.subscribe((e) => console.log('hello', e.clientId));
 * const client = await connectAsync(broker.url);
 * // ...
 * await broker.close();
 * ```
 */
export async function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  const limits = resolveBrokerOptions(options);
  const host = options.host ?? '127.0.0.1';
  const persistence = options.persistence === undefined ? undefined : new BrokerPersistence(options.persistence);
  const core = new BrokerCore(options, limits, persistence);
  try {
    persistence?.restore(core);
  } catch (error) {
    persistence?.abandon(); // a half-restored state must not be compacted over the log
    throw error;
  }
  const serve = (transport: Transport): void => {
    if (core.closed) return transport.close();
    if (core.sockets.size >= limits.maxConnections) {
      // Turned away before anything is read: no CONNECT can be answered without reading it.
      core.refused('maxConnections', undefined);
      return transport.close();
    }
    new ClientConnection(core, transport).start();
  };
  const accept = (transport: Transport): void => {
    if (core.closed) throw new TransportError('the broker is closed', { code: 'BROKER_CLOSED' });
    if (transport === null || typeof transport !== 'object' || typeof transport.send !== 'function' || transport.incoming === undefined) {
      throw new InvalidArgumentError('transport', 'expected a Transport { incoming, send, close }');
    }
    serve(transport);
  };
  const listeners: Listener[] = [];
  let tcp: Listener;
  let ws: Listener | undefined;
  let tls: Listener | undefined;
  try {
    tcp = await listenTcp(options.port, host, (socket) => serve(socketTransport(socket)));
    listeners.push(tcp);
    if (options.websocket !== undefined) {
      ws = await listenWebSocket(options.websocket.port, host, options.websocket.path, limits.maxPacketSize + 8, serve, options.websocket.allowedOrigins, (origin) =>
        core.refused('origin', undefined, origin),
      );
      listeners.push(ws);
    }
    if (options.tls !== undefined) {
      const t = options.tls;
      tls = await listenTcp(t.port, host, (socket) => serve(socketTransport(socket)), {
        key: asPem(t.key),
        cert: asPem(t.cert),
        ca: t.ca === undefined ? undefined : asPem(t.ca),
        requestCert: t.requestCert === true,
        rejectUnauthorized: t.requestCert === true,
      });
      listeners.push(tls);
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    persistence?.close();
    throw error;
  }
  const sysInterval = options.sysInterval ?? 0;
  const stopSys = sysInterval > 0 ? startSysTopics(core, sysInterval) : () => undefined;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const events$ = core.events.events$;
  let closing: Promise<void> | undefined;
  return {
    host,
    port: tcp.port,
    url: `mqtt://${urlHost}:${tcp.port}`,
    wsPort: ws?.port,
    wsUrl: ws === undefined ? undefined : `ws://${urlHost}:${ws.port}${options.websocket?.path ?? ''}`,
    tlsPort: tls?.port,
    tlsUrl: tls === undefined ? undefined : `mqtts://${urlHost}:${tls.port}`,
    events$,
    clientConnected$: events$.pipe(filter((e): e is ClientConnectedEvent => e.type === 'clientConnected')),
    clientDisconnected$: events$.pipe(filter((e): e is ClientDisconnectedEvent => e.type === 'clientDisconnected')),
    published$: events$.pipe(filter((e): e is PublishedEvent => e.type === 'published')),
    subscribed$: events$.pipe(filter((e): e is SubscribedEvent => e.type === 'subscribed')),
    unsubscribed$: events$.pipe(filter((e): e is UnsubscribedEvent => e.type === 'unsubscribed')),
    get connectedClients() {
      return [...core.connections.keys()];
    },
    get sessionCount() {
      return core.sessions.size;
    },
    get retainedCount() {
      return core.retained.size;
    },
    get droppedMessages() {
      return core.droppedMessages;
    },
    get refusedConnections() {
      return core.refusedConnections;
    },
    get traffic() {
      return { ...core.traffic };
    },
    publish(topic, payload, publishOptions = {}) {
      const problem = topicNameProblem(topic);
      if (problem !== undefined) throw new InvalidArgumentError('topic', `${problem}, got ${JSON.stringify(topic)}`);
      if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) throw new InvalidArgumentError('payload', 'must be a string or a Uint8Array');
      const qos = publishOptions.qos ?? 0;
      if (qos !== 0 && qos !== 1 && qos !== 2) throw new InvalidArgumentError('options.qos', `must be 0, 1 or 2, got ${String(qos)}`);
      const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload.slice();
      core.route(brokerMessage(topic, bytes, qos, publishOptions.retain === true, publishOptions.properties, undefined, Date.now()));
    },
    accept,
    close() {
      closing ??= (async () => {
        core.closed = true;
        stopSys();
        for (const connection of [...core.sockets]) connection.terminate(0x8b, false); // Server shutting down
        core.wills.clear();
        core.sessions.clearTimers();
        let failure: unknown;
        try {
          persistence?.close(); // compacted, with the online sessions' clients counted as gone now
        } catch (error) {
          failure = error;
        }
        await Promise.all(listeners.map((l) => l.close()));
        core.events.complete();
        if (failure !== undefined) throw failure;
      })();
      return closing;
    },
  };
}

function asPem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
