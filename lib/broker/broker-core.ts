import type { QoS } from '../codec/packet.js';
import type { BrokerOptions, ResolvedLimits } from './broker-options.js';
import type { BrokerMessage } from './broker-message.js';
import type { BrokerPersistence } from './broker-persistence.js';
import { BrokerEvents } from './broker-events.js';
import { RetainedStore } from './retained-store.js';
import { Session } from './session.js';
import { SessionStore } from './session-store.js';
import { SubscriptionIndex } from './subscription-index.js';
import { WillScheduler } from './will-scheduler.js';

/** What the core needs from a live connection to manage it (takeover, shutdown). */
export interface ConnectionControl {
  /** Ends the connection: `reasonCode` goes into an MQTT 5 DISCONNECT first (none for 3.1.1). */
  terminate(reasonCode: number, publishWill: boolean): void;
}

/**
 * The broker's shared state and message router, independent of sockets: sessions, the
 * subscription index, retained messages, pending wills, the live connections and the event
 * streams. Connections call {@link BrokerCore.route} for every accepted message.
 */
export class BrokerCore {
  readonly events = new BrokerEvents();
  readonly retained = new RetainedStore();
  readonly index = new SubscriptionIndex<Session>((s) => s.online);
  readonly sessions: SessionStore;
  readonly wills: WillScheduler;
  /** Live connections by client id (after a successful CONNECT). */
  readonly connections = new Map<string, ConnectionControl>();
  /** Every open connection, including those still before CONNECT. */
  readonly sockets = new Set<ConnectionControl>();
  closed = false;
  /** QoS 1/2 messages dropped for any reason (queue full, too large, session expired or evicted). */
  droppedMessages = 0;
  /** Traffic since start, for the handle and $SYS: PUBLISH packets and bytes, in and out. */
  readonly traffic = { messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0 };
  /** Stored sessions evicted to make room under `maxSessions`. */
  evictedSessions = 0;
  /** Connections turned away by `maxConnections`, `maxSessions` or the WebSocket Origin policy. */
  refusedConnections = 0;
  /** How many sessions have a full queue (0 on the fast path: no publisher needs holding back). */
  readonly pressure = { full: 0 };
  private epoch = 0;
  private readonly targets: Session[] = [];
  private routing = false;
  private readonly deferred: BrokerMessage[] = [];

  constructor(
    readonly options: BrokerOptions,
    readonly limits: ResolvedLimits,
    /** The persistence log (`options.persistence`), restored from before anything else runs. */
    readonly persistence?: BrokerPersistence,
  ) {
    this.sessions = new SessionStore(this.index, limits.maxQueuedMessages, limits.maxSessions, {
      onExpire: (s) => this.wills.flush(s.clientId),
      onEnded: (s, reason, dropped) => {
        this.droppedMessages += dropped;
        if (reason === 'evicted') this.evictedSessions++;
        if (this.events.observed) this.events.emit({ type: 'sessionEnded', clientId: s.clientId, reason, droppedMessages: dropped });
      },
      pressure: this.pressure,
      journal: persistence,
      onDrop: (s, reason) => {
        this.droppedMessages++;
        if (this.events.observed) this.events.emit({ type: 'messagesDropped', clientId: s.clientId, reason, count: 1 });
      },
    });
    this.wills = new WillScheduler((m) => this.route(m));
  }

  /** Counts a message acknowledged to its publisher and then not routed, and reports it. */
  countDrop(clientId: string, reason: 'notAuthorized'): void {
    this.droppedMessages++;
    if (this.events.observed) this.events.emit({ type: 'messagesDropped', clientId, reason, count: 1 });
  }

  /** Counts a refused connection and reports it. */
  refused(reason: 'maxConnections' | 'maxSessions' | 'origin', clientId: string | undefined, origin?: string): void {
    this.refusedConnections++;
    if (this.events.observed) this.events.emit({ type: 'connectionRefused', clientId, reason, ...(origin === undefined ? {} : { origin }) });
  }

  /**
   * The online sessions (not the publisher's own) that a message on `topic` would reach and whose
   * queue is full; empty at no cost while no queue is full. Shared subscriptions and offline
   * sessions are left out: they are not waited for (a full one drops, counted).
   */
  fullTargets(topic: string, senderId: string | undefined): Session[] {
    const full: Session[] = [];
    if (this.pressure.full === 0) return full;
    this.index.matchUnshared(topic, (sub) => {
      const s = sub.session;
      if (s.full && s.online && s.clientId !== senderId && !full.includes(s)) full.push(s);
    });
    return full;
  }

  /**
   * Push back on a publisher: settles once every session in `full` has room, or at `deadline` (a
   * `Date.now()` value) at the latest. The publisher's connection handles nothing more until then,
   * so its message is acknowledged only once it can be queued.
   */
  whenRoom(full: readonly Session[], deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      void Promise.all(full.map((s) => s.whenRoom())).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Routes one message: stores or clears it as retained when its retain flag is set, then delivers
   * it once to every session with a matching subscription, at the highest QoS among that session's
   * matching subscriptions, capped by the message's QoS.
   */
  route(message: BrokerMessage, now = Date.now()): void {
    if (this.closed) return;
    if (this.routing) {
      // A delivery closed a connection whose will is being routed: finish this message first.
      this.deferred.push(message);
      return;
    }
    this.routing = true;
    try {
      this.routeOne(message, now);
      for (let m = this.deferred.shift(); m !== undefined; m = this.deferred.shift()) this.routeOne(m, now);
    } finally {
      this.routing = false;
      this.targets.length = 0;
    }
  }

  private routeOne(message: BrokerMessage, now: number): void {
    if (message.retain) {
      this.retained.set(message); // [MQTT-3.3.1-5]
      // The broker's own $SYS statistics are not kept across a restart: they describe this run.
      if (this.persistence !== undefined && !message.topic.startsWith('$SYS/')) this.persistence.retain(message);
    }
    const events = this.events;
    if (events.observed) {
      events.emit({
        type: 'published',
        clientId: message.senderId,
        topic: message.topic,
        payload: message.payload,
        qos: message.qos,
        retain: message.retain,
        properties: message.properties,
      });
    }
    const epoch = ++this.epoch;
    const targets = this.targets;
    this.index.match(message.topic, (sub) => {
      const session = sub.session;
      // No Local: not back to the publisher [MQTT-3.8.3-3].
      if (sub.noLocal && session.clientId === message.senderId) return;
      const qos = (sub.qos < message.qos ? sub.qos : message.qos) as QoS; // [MQTT-3.8.4-8]
      // Forwarded messages keep the retain flag only with Retain As Published [MQTT-3.3.1-12] [MQTT-3.3.1-13].
      const retain = sub.retainAsPublished && message.retain;
      if (session.routeEpoch !== epoch) {
        session.routeEpoch = epoch;
        session.routeQos = qos;
        session.routeRetain = retain;
        session.routeSubIds = sub.subscriptionId === undefined ? undefined : [sub.subscriptionId];
        targets.push(session);
        return;
      }
      // Overlapping subscriptions of one session: one delivery at the highest QoS, with all identifiers.
      if (qos > session.routeQos) session.routeQos = qos;
      if (retain) session.routeRetain = true;
      if (sub.subscriptionId !== undefined) (session.routeSubIds ??= []).push(sub.subscriptionId);
    });
    for (let i = 0; i < targets.length; i++) {
      const s = targets[i];
      s.deliver(message, s.routeQos, s.routeRetain, s.routeSubIds, now);
      s.routeSubIds = undefined;
    }
    targets.length = 0;
  }
}
