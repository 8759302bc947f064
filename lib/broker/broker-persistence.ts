import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSharedFilter } from '../codec/topic.js';
import { StoreError } from '../errors.js';
import { AppendLog, ioStep, type AppendLogFormat } from '../node/append-log.js';
import type { BrokerMessage } from './broker-message.js';
import { OP, RecordWriter, writeMessage } from './persistence-codec.js';
import { PersistenceReplay, type LoadedSession } from './persistence-replay.js';
import type { Delivery, Session } from './session.js';
import type { SessionStoreJournal } from './session-journal.js';
import type { BrokerSubscription, SubscriptionIndex } from './subscription-index.js';
import type { SessionStore } from './session-store.js';
import type { RetainedStore } from './retained-store.js';

/**
 * Options of the broker's persistence (`startBroker({ persistence })`).
 *
 * @example
 * ```ts
 * await startBroker({ port: 1883, persistence: { dir: '/var/lib/rxmqtt', fsync: 'always' } });
 * ```
 */
export interface BrokerPersistenceOptions {
  /** Directory of the log file `broker.log` (created when missing). One broker per directory. */
  readonly dir: string;
  /**
   * When written records are flushed to the disk. `'never'` (default): each record is written to the
   * operating system before the acknowledgement that depends on it goes out, which survives the
   * broker process being killed but not a power failure. `'always'`: also `fsync` before that
   * acknowledgement (survives a power failure; costs one disk flush per acknowledged step). A number:
   * `fsync` every that many milliseconds (a power failure loses at most that window).
   */
  readonly fsync?: 'always' | 'never' | number;
  /** Rewrite the log once it holds at least this many records and twice its last compacted size. Default 10 000. */
  readonly compactAfter?: number;
}

const MAGIC = new Uint8Array([0x52, 0x58, 0x4d, 0x51, 0x42, 0x52, 0x4b, 0x01]); // "RXMQBRK" + format 1
/** The file format of `broker.log` (for tools that read it with `replayLog`). */
export const BROKER_LOG_FORMAT: AppendLogFormat = { magic: MAGIC, kind: 'broker persistence log' };

/** What the log restores into, and reads again for each compaction. */
export interface PersistedState {
  readonly sessions: SessionStore;
  readonly index: SubscriptionIndex<Session>;
  readonly retained: RetainedStore;
}

/**
 * The broker's persistence: one append-only log of checksummed records (`broker.log`) holding the
 * persistent sessions (client id, expiry, protocol version, subscriptions with their options,
 * queued and in-flight QoS 1/2 messages, inbound QoS 2 ids awaiting PUBREL) and the retained
 * messages. Sessions that end with their connection are never written.
 *
 * Each change is appended to a batch in memory, and the batch is written (one `write`, plus an
 * `fsync` with `fsync: 'always'`) before the next packet goes to any client ({@link flush} is
 * called by the connection's `send`), so that no acknowledgement goes out for state that is not in
 * the log. A batch left over goes out on the next turn of the event loop.
 */
export class BrokerPersistence implements SessionStoreJournal {
  /** Bytes of a torn last record ignored at startup (the broker was killed while writing). */
  readonly truncatedBytes: number;
  private readonly log: AppendLog;
  private replay: PersistenceReplay | undefined;
  private readonly w = new RecordWriter();
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private restoring = false;
  private failure: StoreError | undefined;
  private written = new WeakMap<BrokerMessage, number>();
  private readonly keys = new WeakMap<Session, number>();
  private readonly departed = new Map<Session, number>();
  private nextMessageId: number;
  private nextKey = 1;
  private nextSeq: number;
  private snapshotRecords = 0;
  private readonly compactAfter: number;
  private readonly syncAlways: boolean;
  /** Written by the end-of-turn flush and not yet fsynced (`fsync: 'always'` syncs it with the next packet). */
  private unsynced = false;
  private readonly syncTimer: ReturnType<typeof setInterval> | undefined;
  private state: PersistedState | undefined;

  /** Opens (or creates) `dir/broker.log` and reads it. Throws StoreCorruptError or StoreError `STORE_IO`. */
  constructor(options: BrokerPersistenceOptions) {
    const path = join(options.dir, 'broker.log');
    ioStep(options.dir, () => mkdirSync(options.dir, { recursive: true }));
    const replay = new PersistenceReplay(path);
    // The log itself never fsyncs on append: flush() decides (see `unsynced`).
    this.log = new AppendLog(path, BROKER_LOG_FORMAT, false, (body, offset) => replay.apply(body, offset));
    this.syncAlways = options.fsync === 'always';
    this.replay = replay;
    this.truncatedBytes = this.log.truncatedBytes;
    this.nextMessageId = replay.maxMessageId + 1;
    this.nextSeq = replay.maxSeq + 1;
    this.compactAfter = options.compactAfter ?? 10_000;
    const every = options.fsync;
    if (typeof every === 'number') {
      this.syncTimer = setInterval(() => {
        if (!this.log.open || !this.unsynced) return;
        this.unsynced = false;
        try {
          this.guard(() => this.log.sync());
        } catch {
          // Kept in `failure`: the next send of any connection reports it.
        }
      }, every);
      this.syncTimer.unref?.();
    }
  }

  /** The log file's path. */
  get path(): string {
    return this.log.path;
  }

  /**
   * Puts what the log holds into the broker's stores (sessions expired by wall-clock time are
   * dropped), then compacts the log to exactly that state. Call once, before any client connects.
   */
  restore(state: PersistedState, now = Date.now()): void {
    this.state = state;
    const replay = this.replay;
    if (replay === undefined) return;
    this.restoring = true;
    try {
      for (const loaded of replay.sessions.values()) this.restoreSession(state, loaded, now);
      for (const message of replay.retained.values()) {
        if (message.expiresAt === undefined || message.expiresAt > now) state.retained.set(message);
      }
    } finally {
      this.restoring = false;
    }
    this.replay = undefined;
    this.compact();
  }

  private restoreSession(state: PersistedState, loaded: LoadedSession, now: number): void {
    // A session online when the broker stopped without saying so is taken to have lost its client now.
    const departedAt = loaded.departedAt ?? now;
    if (departedAt + loaded.expiryInterval * 1000 <= now) return;
    const session = state.sessions.create(loaded.clientId);
    session.expiryInterval = loaded.expiryInterval;
    session.protocolVersion = loaded.protocolVersion;
    for (const [key, o] of loaded.subscriptions) {
      const shared = parseSharedFilter(key);
      const sub: BrokerSubscription<Session> = { session, filter: shared?.filter ?? key, group: shared?.shareName, ...o };
      session.subscriptions.set(key, sub);
      state.index.add(sub);
    }
    for (const d of loaded.deliveries.values()) session.restore({ ...d });
    for (const id of loaded.inbound) session.inboundQos2.add(id);
    state.sessions.release(session, departedAt);
  }

  // ---- SessionStoreJournal: each call appends records to the batch ----

  sessionChanged(session: Session): void {
    if (session.journal === undefined) {
      session.journal = this;
      this.keys.set(session, this.nextKey++);
    }
    if (!this.restoring) this.add(this.sessionRecord(session));
  }

  queued(session: Session, d: Delivery): void {
    d.seq = this.nextSeq++;
    if (!this.restoring) this.add(...this.deliveryRecords(session, d, this.written));
  }

  started(session: Session, d: Delivery): void {
    this.w.u32(this.key(session)).f64(d.seq).u16(d.packetId);
    this.add(this.w.frame(OP.STARTED));
  }

  released(session: Session, d: Delivery): void {
    this.add(this.w.u32(this.key(session)).f64(d.seq).frame(OP.RELEASED));
  }

  done(session: Session, d: Delivery): void {
    this.add(this.w.u32(this.key(session)).f64(d.seq).frame(OP.DONE));
  }

  inbound(session: Session, packetId: number, added: boolean): void {
    if (this.restoring) return;
    this.add(this.w.u32(this.key(session)).u16(packetId).frame(added ? OP.INBOUND_ADD : OP.INBOUND_DELETE));
  }

  subscription(session: Session, key: string, sub: BrokerSubscription<Session> | undefined): void {
    if (this.restoring) return;
    this.add(sub === undefined ? this.w.u32(this.key(session)).str(key).frame(OP.UNSUBSCRIBE) : this.subscriptionRecord(session, key, sub));
  }

  offline(session: Session, at: number): void {
    if (session.journal !== this) return;
    this.departed.set(session, at);
    if (!this.restoring) this.add(this.w.u32(this.key(session)).f64(at).frame(OP.OFFLINE));
  }

  online(session: Session): void {
    if (session.journal !== this) return;
    this.departed.delete(session);
    this.add(this.w.u32(this.key(session)).frame(OP.ONLINE));
  }

  dropped(session: Session): void {
    if (session.journal !== this) return;
    this.add(this.w.u32(this.key(session)).frame(OP.SESSION_GONE));
    session.journal = undefined;
    this.departed.delete(session);
  }

  /** A message was routed with the retain flag: it is now (or, empty, no longer) its topic's retained message. */
  retain(message: BrokerMessage): void {
    if (message.payload.length === 0) {
      this.add(this.w.str(message.topic).frame(OP.RETAIN_CLEAR));
      return;
    }
    const frames: Uint8Array[] = [];
    const id = this.messageRecord(message, this.written, frames);
    frames.push(this.w.f64(id).frame(OP.RETAIN));
    this.add(...frames);
  }

  /**
   * Writes the batch to the log (one write; an fsync with `fsync: 'always'`), and compacts the log
   * when it has grown enough. Throws StoreError `STORE_IO` when the write fails; from then on every
   * call throws it again, so that nothing more is acknowledged until the broker is restarted.
   */
  flush(sync = this.syncAlways): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.pending.length > 0) {
      const batch = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
      const count = this.pending.length;
      this.pending = [];
      this.pendingBytes = 0;
      this.guard(() => this.log.append(batch, count));
      this.unsynced = true;
      const records = this.log.records;
      if (records >= this.compactAfter && records > 2 * this.snapshotRecords) this.compact();
    }
    if (sync && this.unsynced) {
      this.guard(() => this.log.sync());
      this.unsynced = false;
    }
  }

  /**
   * Rewrites the log with only the live state: the persistent sessions of the session store and the
   * retained messages (done automatically; see `compactAfter`).
   */
  compact(now = Date.now(), closing = false): void {
    const state = this.state;
    if (state === undefined) return;
    if (this.failure !== undefined) throw this.failure;
    const frames: Uint8Array[] = [];
    const written = new WeakMap<BrokerMessage, number>();
    for (const session of state.sessions.values()) {
      if (session.journal !== this) continue;
      frames.push(this.sessionRecord(session));
      const at = this.departed.get(session) ?? (closing ? now : undefined);
      if (at !== undefined) frames.push(this.w.u32(this.key(session)).f64(at).frame(OP.OFFLINE));
      for (const [key, sub] of session.subscriptions) frames.push(this.subscriptionRecord(session, key, sub));
      for (const d of session.deliveries()) frames.push(...this.deliveryRecords(session, d, written));
      for (const id of session.inboundQos2) frames.push(this.w.u32(this.key(session)).u16(id).frame(OP.INBOUND_ADD));
    }
    for (const message of state.retained.values()) {
      if (message.expiresAt !== undefined && message.expiresAt <= now) continue;
      const id = this.messageRecord(message, written, frames);
      frames.push(this.w.f64(id).frame(OP.RETAIN));
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.guard(() => this.log.rewrite(frames, this.syncAlways));
    this.unsynced = false; // a rewrite is fsynced before it replaces the log
    this.written = written;
    this.snapshotRecords = frames.length;
  }

  /** Compacts (online sessions count as left now), then closes the file. Idempotent. */
  close(): void {
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    if (!this.log.open) return;
    try {
      if (this.failure === undefined) this.compact(Date.now(), true);
    } finally {
      this.log.close();
    }
  }

  /** Closes the file as it is, without compacting (the state in memory is not to be trusted). */
  abandon(): void {
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    this.pending = [];
    this.log.close();
  }

  private add(...frames: Uint8Array[]): void {
    for (const f of frames) {
      this.pending.push(f);
      this.pendingBytes += f.length;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        // What is left at the end of a turn (acknowledgements received, mostly) is written now and,
        // with fsync 'always', synced with the next packet sent: no packet depends on it before.
        if (this.log.open) this.flush(false);
      } catch {
        // Kept in `failure`: the next send of any connection reports it.
      }
    });
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.failure = error instanceof StoreError ? error : new StoreError('STORE_IO', String(error), { cause: error });
      throw this.failure;
    }
  }

  private key(session: Session): number {
    return this.keys.get(session) as number;
  }

  private sessionRecord(session: Session): Uint8Array {
    return this.w.u32(this.key(session)).f64(session.expiryInterval).u8(session.protocolVersion).str(session.clientId).frame(OP.SESSION);
  }

  private subscriptionRecord(session: Session, key: string, sub: BrokerSubscription<Session>): Uint8Array {
    const flags = (sub.noLocal ? 1 : 0) | (sub.retainAsPublished ? 2 : 0);
    this.w.u32(this.key(session)).u8(sub.qos).u8(flags).u8(sub.retainHandling).u32(sub.subscriptionId ?? 0).str(key);
    return this.w.frame(OP.SUBSCRIBE);
  }

  /** The message's id in `written`, appending its MESSAGE record to `frames` the first time. */
  private messageRecord(message: BrokerMessage, written: WeakMap<BrokerMessage, number>, frames: Uint8Array[]): number {
    let id = written.get(message);
    if (id !== undefined) return id;
    id = this.written.get(message) ?? this.nextMessageId++;
    written.set(message, id);
    frames.push(writeMessage(this.w, id, message).frame(OP.MESSAGE));
    return id;
  }

  private deliveryRecords(session: Session, d: Delivery, written: WeakMap<BrokerMessage, number>): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const id = this.messageRecord(d.message, written, frames);
    const ids = d.subscriptionIds ?? [];
    this.w.u32(this.key(session)).f64(d.seq).f64(id).u8(d.qos).u8(d.retain ? 1 : 0).u16(d.packetId).u8(d.state === 'comp' ? 1 : 0).u16(ids.length);
    for (const sid of ids) this.w.u32(sid);
    frames.push(this.w.frame(OP.DELIVERY));
    return frames;
  }
}
