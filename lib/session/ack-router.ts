import { Observable, type Subscriber } from 'rxjs';
import type { PubackPacket, PubcompPacket, PubrecPacket, SubackPacket, UnsubackPacket } from '../codec/packet.js';

/** The packets that answer a packet the client sent, matched by packet identifier. */
export type AckPacket = PubackPacket | PubrecPacket | PubcompPacket | SubackPacket | UnsubackPacket;

/**
 * Routes acknowledgements from the broker to the one flow waiting on their packet identifier, by a
 * map lookup (no per-flow filtering of the whole packet stream).
 *
 * @example
 * ```ts
 * const router = new AckRouter();
 * router.acksFor(7).subscribe((ack) => console.log(ack.type)); // cold: registers on subscribe
 * router.route({ type: 'puback', packetId: 7 });
 * ```
 */
export class AckRouter {
  private readonly routes = new Map<number, Subscriber<AckPacket>>();

  /**
   * The acknowledgements carrying `packetId`. Cold: subscribing registers the route, unsubscribing
   * removes it. One route per identifier at a time (the identifier is unique while in flight); a
   * second subscriber replaces the first. Never completes by itself; errors when {@link failAll}
   * is called.
   */
  acksFor(packetId: number): Observable<AckPacket> {
    return new Observable<AckPacket>((subscriber) => {
      this.routes.set(packetId, subscriber);
      return () => {
        if (this.routes.get(packetId) === subscriber) this.routes.delete(packetId);
      };
    });
  }

  /** Delivers `ack` to the flow waiting for its identifier. Returns false when no flow waits. */
  route(ack: AckPacket): boolean {
    const subscriber = this.routes.get(ack.packetId);
    if (subscriber === undefined) return false;
    subscriber.next(ack);
    return true;
  }

  /** Number of identifiers with a waiting flow. */
  get size(): number {
    return this.routes.size;
  }

  /** Errors every waiting flow with `error` (the connection is gone). */
  failAll(error: unknown): void {
    const subscribers = [...this.routes.values()];
    this.routes.clear();
    for (const subscriber of subscribers) subscriber.error(error);
  }
}
