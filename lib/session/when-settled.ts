import type { OutboundPublisher } from './outbound-publisher.js';
import type { PacketIdAllocator } from './packet-id-allocator.js';

/**
 * Resolves when no flow holds a packet identifier and no publish waits for a Receive Maximum slot
 * (everything in flight was acknowledged), when `ended` settles, or after `timeoutMs`, whichever
 * comes first. Resolves to true when the flows settled.
 *
 * @example
 * ```ts
 * const settled = await whenSettled(packetIds, publisher, session.closed, 10_000);
 * ```
 */
export async function whenSettled(
  packetIds: PacketIdAllocator,
  publisher: OutboundPublisher,
  ended: Promise<unknown>,
  timeoutMs: number,
): Promise<boolean> {
  const busy = (): boolean => packetIds.size > 0 || publisher.queuedCount > 0;
  if (!busy()) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stop = false;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  void Promise.race([expired, ended]).then(() => (stop = true));
  try {
    // The identifiers can be free for a moment while a queued publish takes the slot: check again.
    while (busy() && !stop) await Promise.race([packetIds.whenIdle(), expired, ended]);
    return !busy();
  } finally {
    clearTimeout(timer);
  }
}
