import { QueueFullError } from '../errors.js';

const MAX_ID = 65535;

/**
 * Hands out MQTT packet identifiers for PUBLISH (QoS 1 and 2), SUBSCRIBE and UNSUBSCRIBE, which share
 * one identifier space per connection.
 *
 * Identifiers are never 0 and never handed out twice while in use ([MQTT-2.2.1-3] in 5.0,
 * [MQTT-2.3.1-1] [MQTT-2.3.1-2] in 3.1.1), and counting wraps from 65535 back to 1. Allocation
 * costs no memory per id (a 64 KiB flag table).
 *
 * @example
 * ```ts
 * const ids = new PacketIdAllocator();
 * const id = ids.allocate(); // 1
 * ids.release(id);
 * ```
 */
export class PacketIdAllocator {
  private readonly used = new Uint8Array(MAX_ID + 1);
  private next = 1;
  private count = 0;
  private idleWaiters: (() => void)[] = [];

  /** Number of identifiers in use. */
  get size(): number {
    return this.count;
  }

  /**
   * Returns a free identifier and marks it in use.
   * Throws {@link QueueFullError} when all 65535 identifiers are in use.
   */
  allocate(): number {
    if (this.count === MAX_ID) throw new QueueFullError('all 65535 packet identifiers are in use');
    let id = this.next;
    // Skip identifiers in use and never hand out 0 [MQTT-2.2.1-3].
    while (this.used[id] === 1) id = id === MAX_ID ? 1 : id + 1;
    this.used[id] = 1;
    this.count++;
    this.next = id === MAX_ID ? 1 : id + 1;
    return id;
  }

  /** Marks `id` in use (e.g. restored from a persistent store). Returns false when it already was. */
  reserve(id: number): boolean {
    if (!Number.isInteger(id) || id < 1 || id > MAX_ID || this.used[id] === 1) return false;
    this.used[id] = 1;
    this.count++;
    return true;
  }

  /** True when `id` is in use. */
  has(id: number): boolean {
    return this.used[id] === 1;
  }

  /** Frees `id`. Returns false when it was not in use. */
  release(id: number): boolean {
    if (this.used[id] !== 1) return false;
    this.used[id] = 0;
    this.count--;
    if (this.count === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    return true;
  }

  /** Resolves when no identifier is in use (at once when none is). */
  whenIdle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
