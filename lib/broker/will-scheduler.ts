import type { BrokerMessage } from './broker-message.js';

/**
 * Publishes will messages of clients that went away without a normal DISCONNECT. An MQTT 5 will
 * may be delayed (Will Delay Interval): it is cancelled when the client reconnects to the session
 * in time and published early when the session ends first [MQTT-3.1.3-9].
 *
 * @example
 * ```ts
 * const wills = new WillScheduler((m) => router.route(m));
 * wills.schedule('sensor-1', willMessage, 5); // published in 5 s unless cancel('sensor-1')
 * ```
 */
export class WillScheduler {
  private readonly pending = new Map<string, { message: BrokerMessage; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly publish: (message: BrokerMessage) => void) {}

  /** Number of wills waiting for their delay. */
  get size(): number {
    return this.pending.size;
  }

  /** Publishes `message` after `delaySeconds` (0: now). Replaces a pending will of the same client. */
  schedule(clientId: string, message: BrokerMessage, delaySeconds: number): void {
    this.cancel(clientId);
    if (delaySeconds <= 0) {
      this.publish(message);
      return;
    }
    const timer = setTimeout(() => this.flush(clientId), Math.min(delaySeconds * 1000, 2 ** 31 - 1));
    timer.unref?.();
    this.pending.set(clientId, { message, timer });
  }

  /** The client came back in time: its pending will is not sent. */
  cancel(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(clientId);
  }

  /** Publishes the client's pending will now (its session ended). */
  flush(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(clientId);
    this.publish(entry.message);
  }

  /** Drops every pending will without publishing (broker shutdown). */
  clear(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }
}
