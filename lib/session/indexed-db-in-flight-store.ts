import { InvalidArgumentError, StoreError } from '../errors.js';
import type { InFlightStore, OutboundEntry } from './in-flight-store.js';
import { MemoryInFlightStore } from './memory-in-flight-store.js';

/** Options of {@link IndexedDbInFlightStore.open}. */
export interface IndexedDbInFlightStoreOptions {
  /** The IndexedDB factory. Default: `globalThis.indexedDB` (pages and workers). */
  readonly indexedDB?: IDBFactory;
}

interface StoredOutbound {
  /** Insertion order: a resumed session resends in the order entries were first put. */
  readonly seq: number;
  readonly entry: OutboundEntry;
}

type Write =
  | { readonly op: 'put-out'; readonly id: number; readonly value: StoredOutbound }
  | { readonly op: 'delete-out'; readonly id: number }
  | { readonly op: 'put-in'; readonly id: number }
  | { readonly op: 'delete-in'; readonly id: number }
  | { readonly op: 'clear' };

const OUTBOUND = 'outbound';
const INBOUND = 'inbound';

const request = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

/**
 * A persistent {@link InFlightStore} for browsers, on IndexedDB: QoS 1/2 publishes in flight and the
 * held inbound QoS 2 identifiers survive a page reload (or a worker restart), as
 * `FileInFlightStore` does in Node. Give the client the same `clientId` and a kept session.
 *
 * The store interface is synchronous, IndexedDB is not: the store keeps everything in memory and
 * writes behind. The changes made in one task go to the database in one transaction, in order,
 * right after it; {@link flushed} resolves once they are committed. A page closed within a few
 * milliseconds of a change may lose that change, which is the change of a flow that had only just
 * moved on the wire. A failed write makes every later call throw {@link StoreError} `STORE_IO`
 * (with the cause), which fails the affected publish or the connection rather than losing state
 * silently; after {@link close}, calls throw `STORE_CLOSED`.
 *
 * @example
 * ```ts
 * import { connect, IndexedDbInFlightStore } from 'rxmqtt';
 * const store = await IndexedDbInFlightStore.open('sensor-17');
 * const client = connect('wss://broker.example.com/mqtt', { clientId: 'sensor-17', clean: false, store });
 * ```
 */
export class IndexedDbInFlightStore implements InFlightStore {
  private readonly memory = new MemoryInFlightStore();
  private readonly order = new Map<number, number>();
  private nextSeq: number;
  private pending: Write[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown = undefined;
  private closed = false;

  private constructor(
    private readonly db: IDBDatabase,
    outbound: readonly StoredOutbound[],
    inbound: readonly number[],
  ) {
    const sorted = [...outbound].sort((a, b) => a.seq - b.seq);
    for (const { seq, entry } of sorted) {
      this.memory.putOutbound(entry);
      this.order.set(entry.packet.packetId ?? 0, seq);
    }
    for (const id of inbound) this.memory.addInbound(id);
    this.nextSeq = (sorted[sorted.length - 1]?.seq ?? 0) + 1;
  }

  /**
   * Opens (or creates) the database `name` and loads what it holds. Rejects with
   * {@link StoreError} `STORE_IO` when IndexedDB is missing or refuses, and with
   * InvalidArgumentError for an invalid name.
   */
  static async open(name = 'rxmqtt-in-flight', options: IndexedDbInFlightStoreOptions = {}): Promise<IndexedDbInFlightStore> {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('name', 'must be a non-empty string');
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (factory === undefined) throw new StoreError('STORE_IO', 'IndexedDB is not available here (pass options.indexedDB, or use MemoryInFlightStore)');
    try {
      const opening = factory.open(name, 1);
      opening.onupgradeneeded = () => {
        const db = opening.result;
        if (!db.objectStoreNames.contains(OUTBOUND)) db.createObjectStore(OUTBOUND);
        if (!db.objectStoreNames.contains(INBOUND)) db.createObjectStore(INBOUND);
      };
      const db = await request(opening);
      const tx = db.transaction([OUTBOUND, INBOUND], 'readonly');
      const [outbound, inbound] = await Promise.all([
        request(tx.objectStore(OUTBOUND).getAll() as IDBRequest<StoredOutbound[]>),
        request(tx.objectStore(INBOUND).getAllKeys() as IDBRequest<number[]>),
      ]);
      return new IndexedDbInFlightStore(db, outbound, inbound);
    } catch (cause) {
      throw new StoreError('STORE_IO', `cannot open the IndexedDB database '${name}': ${String((cause as Error)?.message ?? cause)}`, { cause });
    }
  }

  /** Resolves once every change made so far is committed; rejects with the StoreError of a failed write. */
  flushed(): Promise<void> {
    return this.flushing.then(() => (this.pending.length > 0 ? this.flushing : undefined));
  }

  /** Writes what is pending, then closes the database; later calls throw `STORE_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing.catch(() => undefined);
    this.db.close();
  }

  putOutbound(entry: OutboundEntry): void {
    this.check();
    const id = entry.packet.packetId;
    if (id === undefined) return;
    let seq = this.order.get(id);
    if (seq === undefined) {
      seq = this.nextSeq++;
      this.order.set(id, seq);
    }
    this.memory.putOutbound(entry);
    this.write({ op: 'put-out', id, value: { seq, entry } });
  }

  /** The entry of `packetId`, or undefined (read from memory; the database is written through). */
  getOutbound(packetId: number): OutboundEntry | undefined {
    this.check();
    return this.memory.getOutbound(packetId);
  }

  deleteOutbound(packetId: number): boolean {
    this.check();
    this.order.delete(packetId);
    const had = this.memory.deleteOutbound(packetId);
    if (had) this.write({ op: 'delete-out', id: packetId });
    return had;
  }

  outbound(): Iterable<OutboundEntry> {
    this.check();
    return this.memory.outbound();
  }

  addInbound(packetId: number): boolean {
    this.check();
    const added = this.memory.addInbound(packetId);
    if (added) this.write({ op: 'put-in', id: packetId });
    return added;
  }

  /** Whether an inbound QoS 2 identifier is held (read from memory). */
  hasInbound(packetId: number): boolean {
    this.check();
    return this.memory.hasInbound(packetId);
  }

  deleteInbound(packetId: number): boolean {
    this.check();
    const had = this.memory.deleteInbound(packetId);
    if (had) this.write({ op: 'delete-in', id: packetId });
    return had;
  }

  inbound(): Iterable<number> {
    this.check();
    return this.memory.inbound();
  }

  clear(): void {
    this.check();
    this.memory.clear();
    this.order.clear();
    this.write({ op: 'clear' });
  }

  private check(): void {
    if (this.failure !== undefined) throw new StoreError('STORE_IO', 'an earlier IndexedDB write failed; the stored state can no longer be trusted', { cause: this.failure });
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the IndexedDB store is closed');
  }

  /** Queues a change; the changes of one task are written together in one transaction after it. */
  private write(change: Write): void {
    this.pending.push(change);
    if (this.pending.length === 1) this.flushing = this.flushing.then(() => this.commit());
  }

  private commit(): Promise<void> {
    const changes = this.pending;
    this.pending = [];
    if (changes.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const tx = this.db.transaction([OUTBOUND, INBOUND], 'readwrite');
      const out = tx.objectStore(OUTBOUND);
      const inb = tx.objectStore(INBOUND);
      for (const c of changes) {
        if (c.op === 'put-out') out.put(c.value, c.id);
        else if (c.op === 'delete-out') out.delete(c.id);
        else if (c.op === 'put-in') inb.put(true, c.id);
        else if (c.op === 'delete-in') inb.delete(c.id);
        else {
          out.clear();
          inb.clear();
        }
      }
      tx.oncomplete = () => resolve();
      const failed = (): void => {
        this.failure = tx.error ?? new Error('IndexedDB transaction aborted');
        reject(new StoreError('STORE_IO', `an IndexedDB write failed: ${String((this.failure as Error)?.message ?? this.failure)}`, { cause: this.failure }));
      };
      tx.onerror = failed;
      tx.onabort = failed;
    });
  }
}
