import type { QoS } from '../codec/packet.js';
import type { BrokerMessage } from './broker-message.js';
import { OP, RecordReader, readMessage } from './persistence-codec.js';

/** A subscription as read back from the log. */
export interface LoadedSubscription {
  readonly qos: QoS;
  readonly noLocal: boolean;
  readonly retainAsPublished: boolean;
  readonly retainHandling: 0 | 1 | 2;
  readonly subscriptionId: number | undefined;
}

/** An outbound delivery as read back from the log. */
export interface LoadedDelivery {
  readonly seq: number;
  readonly message: BrokerMessage;
  readonly qos: 1 | 2;
  readonly retain: boolean;
  readonly subscriptionIds: readonly number[] | undefined;
  packetId: number;
  state: 'ack' | 'comp';
}

/** A session as read back from the log. */
export interface LoadedSession {
  readonly clientId: string;
  expiryInterval: number;
  protocolVersion: 0 | 4 | 5;
  /** When its client left (epoch ms); undefined when it was online as the log ended. */
  departedAt: number | undefined;
  readonly subscriptions: Map<string, LoadedSubscription>;
  /** By seq, in the order they were written (which is the order they were routed). */
  readonly deliveries: Map<number, LoadedDelivery>;
  readonly inbound: Set<number>;
}

/**
 * Rebuilds the broker's persistent state from the records of its log, one record at a time
 * ({@link PersistenceReplay.apply} is the visitor of `replayLog`). A record that refers to a
 * session, message or delivery the log never introduced is damage: StoreCorruptError.
 */
export class PersistenceReplay {
  readonly sessions = new Map<number, LoadedSession>();
  readonly messages = new Map<number, BrokerMessage>();
  /** Retained messages by topic. */
  readonly retained = new Map<string, BrokerMessage>();
  maxMessageId = 0;
  maxSeq = 0;

  constructor(private readonly path: string) {}

  apply(body: Uint8Array, offset: number): void {
    const r = new RecordReader(body, this.path, offset);
    const op = body[0];
    if (op === OP.MESSAGE) {
      const { id, message } = readMessage(r);
      this.messages.set(id, message);
      if (id > this.maxMessageId) this.maxMessageId = id;
      return;
    }
    if (op === OP.RETAIN) {
      const message = this.message(r, r.f64());
      r.end();
      this.retained.set(message.topic, message);
      return;
    }
    if (op === OP.RETAIN_CLEAR) {
      const topic = r.str();
      r.end();
      this.retained.delete(topic);
      return;
    }
    const key = r.u32();
    if (op === OP.SESSION) {
      const expiryInterval = r.f64();
      const version = r.u8() as 0 | 4 | 5;
      const clientId = r.str();
      r.end();
      if (version !== 0 && version !== 4 && version !== 5) r.corrupt(`unknown protocol version ${String(version)}`);
      const known = this.sessions.get(key);
      if (known !== undefined) {
        known.expiryInterval = expiryInterval;
        known.protocolVersion = version;
        return;
      }
      this.sessions.set(key, { clientId, expiryInterval, protocolVersion: version, departedAt: undefined, subscriptions: new Map(), deliveries: new Map(), inbound: new Set() });
      return;
    }
    const session = this.sessions.get(key) ?? r.corrupt(`a record of unknown session ${key}`);
    switch (op) {
      case OP.SESSION_GONE:
        r.end();
        this.sessions.delete(key);
        return;
      case OP.OFFLINE:
        session.departedAt = r.f64();
        r.end();
        return;
      case OP.ONLINE:
        r.end();
        session.departedAt = undefined;
        return;
      case OP.SUBSCRIBE: {
        const qos = r.u8();
        const flags = r.u8();
        const retainHandling = r.u8();
        const id = r.u32();
        const filter = r.str();
        r.end();
        if (qos > 2 || retainHandling > 2) r.corrupt('invalid subscription options');
        session.subscriptions.set(filter, {
          qos: qos as QoS,
          noLocal: (flags & 1) !== 0,
          retainAsPublished: (flags & 2) !== 0,
          retainHandling: retainHandling as 0 | 1 | 2,
          subscriptionId: id === 0 ? undefined : id,
        });
        return;
      }
      case OP.UNSUBSCRIBE: {
        const filter = r.str();
        r.end();
        session.subscriptions.delete(filter);
        return;
      }
      case OP.DELIVERY: {
        const seq = r.f64();
        const message = this.message(r, r.f64());
        const qos = r.u8() as 1 | 2;
        const retain = r.u8() === 1;
        const packetId = r.u16();
        const state = r.u8();
        const n = r.u16();
        const ids: number[] = [];
        for (let i = 0; i < n; i++) ids.push(r.u32());
        r.end();
        if (qos !== 1 && qos !== 2) r.corrupt('a delivery at QoS 0');
        session.deliveries.set(seq, { seq, message, qos, retain, subscriptionIds: n === 0 ? undefined : ids, packetId, state: state === 1 ? 'comp' : 'ack' });
        if (seq > this.maxSeq) this.maxSeq = seq;
        return;
      }
      case OP.STARTED: {
        const d = this.delivery(r, session);
        d.packetId = r.u16();
        r.end();
        return;
      }
      case OP.RELEASED:
        this.delivery(r, session).state = 'comp';
        r.end();
        return;
      case OP.DONE:
        session.deliveries.delete(this.delivery(r, session).seq);
        r.end();
        return;
      case OP.INBOUND_ADD:
        session.inbound.add(r.u16());
        r.end();
        return;
      case OP.INBOUND_DELETE:
        session.inbound.delete(r.u16());
        r.end();
        return;
      default:
        r.corrupt(`unknown record type ${String(op)}`);
    }
  }

  private message(r: RecordReader, id: number): BrokerMessage {
    return this.messages.get(id) ?? r.corrupt(`a record of unknown message ${id}`);
  }

  private delivery(r: RecordReader, session: LoadedSession): LoadedDelivery {
    const seq = r.f64();
    return session.deliveries.get(seq) ?? r.corrupt(`a record of unknown delivery ${seq}`);
  }
}
