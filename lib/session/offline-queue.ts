import { InvalidArgumentError } from '../errors.js';

/** Bounds of the queue of publishes made while the client is not connected (`ClientOptions.offlineQueue`). */
export interface OfflineQueueOptions {
  /** Most publishes held. Default 1000. */
  readonly maxMessages?: number;
  /** Most bytes held (payload plus topic). Default 16 MiB. */
  readonly maxBytes?: number;
  /**
   * What a publish that does not fit does: `reject-new` (default) errors it with QueueFullError;
   * `drop-oldest` errors the oldest queued publishes with QueueFullError to make room.
   */
  readonly overflow?: 'reject-new' | 'drop-oldest';
}

/** {@link OfflineQueueOptions} with the defaults filled in. */
export type OfflineQueueLimits = Required<OfflineQueueOptions>;

/**
 * Validates `options` and fills in the defaults. Throws InvalidArgumentError naming `offlineQueue.*`.
 *
 * @example
 * ```ts
 * offlineQueueLimits({ maxMessages: 100 }); // { maxMessages: 100, maxBytes: 16777216, overflow: 'reject-new' }
 * ```
 */
export function offlineQueueLimits(options: OfflineQueueOptions = {}): OfflineQueueLimits {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('offlineQueue', 'expected { maxMessages?, maxBytes?, overflow? }');
  }
  const maxMessages = options.maxMessages ?? 1000;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const overflow = options.overflow ?? 'reject-new';
  if (!(Number.isInteger(maxMessages) && maxMessages >= 0)) {
    throw new InvalidArgumentError('offlineQueue.maxMessages', `must be an integer >= 0, got ${String(maxMessages)}`);
  }
  if (!(typeof maxBytes === 'number' && maxBytes >= 0)) {
    throw new InvalidArgumentError('offlineQueue.maxBytes', `must be a number >= 0, got ${String(maxBytes)}`);
  }
  if (overflow !== 'reject-new' && overflow !== 'drop-oldest') {
    throw new InvalidArgumentError('offlineQueue.overflow', `must be 'reject-new' or 'drop-oldest', got ${String(overflow)}`);
  }
  return { maxMessages, maxBytes, overflow };
}

/**
 * Counts the messages and bytes held in an offline queue against its limits (the queue itself
 * belongs to the caller, which decides what to drop).
 *
 * @example
 * ```ts
 * const budget = new OfflineBudget({ maxMessages: 2 });
 * if (budget.fits(size)) budget.add(size); else throw new QueueFullError(budget.describe());
 * ```
 */
export class OfflineBudget {
  readonly limits: OfflineQueueLimits;
  private count = 0;
  private bytes = 0;

  /** Throws InvalidArgumentError for invalid options (see {@link offlineQueueLimits}). */
  constructor(options?: OfflineQueueOptions) {
    this.limits = offlineQueueLimits(options);
  }

  /** True when one more message of `size` bytes fits now. */
  fits(size: number): boolean {
    return this.count + 1 <= this.limits.maxMessages && this.bytes + size <= this.limits.maxBytes;
  }

  /** True when a message of `size` bytes would fit into the empty queue. */
  couldFit(size: number): boolean {
    return this.limits.maxMessages >= 1 && size <= this.limits.maxBytes;
  }

  add(size: number): void {
    this.count++;
    this.bytes += size;
  }

  remove(size: number): void {
    this.count--;
    this.bytes -= size;
  }

  clear(): void {
    this.count = 0;
    this.bytes = 0;
  }

  /** How full the queue is, for error messages. */
  describe(): string {
    return `${this.count} of ${this.limits.maxMessages} messages, ${this.bytes} of ${this.limits.maxBytes} bytes`;
  }
}
