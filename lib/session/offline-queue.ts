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
