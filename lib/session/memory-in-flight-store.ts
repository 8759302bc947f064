import type { InFlightStore, OutboundEntry } from './in-flight-store.js';

/**
 * The default {@link InFlightStore}: keeps the in-flight state in memory for the life of the client.
 *
 * @example
 * ```ts
 * const client = connect({ url, store: new MemoryInFlightStore() });
 * ```
 */
export class MemoryInFlightStore implements InFlightStore {
  // A Map iterates in insertion order, which is the resend order a resumed session needs.
  private readonly outboundEntries = new Map<number, OutboundEntry>();
  private readonly inboundIds = new Set<number>();

  putOutbound(entry: OutboundEntry): void {
    const id = entry.packet.packetId;
    if (id === undefined) return;
    this.outboundEntries.set(id, entry);
  }

  /** The entry of `packetId`, or undefined. */
  getOutbound(packetId: number): OutboundEntry | undefined {
    return this.outboundEntries.get(packetId);
  }

  deleteOutbound(packetId: number): boolean {
    return this.outboundEntries.delete(packetId);
  }

  outbound(): Iterable<OutboundEntry> {
    return this.outboundEntries.values();
  }

  addInbound(packetId: number): boolean {
    if (this.inboundIds.has(packetId)) return false;
    this.inboundIds.add(packetId);
    return true;
  }

  /** Whether an inbound QoS 2 identifier is held (received, not yet released). */
  hasInbound(packetId: number): boolean {
    return this.inboundIds.has(packetId);
  }

  deleteInbound(packetId: number): boolean {
    return this.inboundIds.delete(packetId);
  }

  inbound(): Iterable<number> {
    return this.inboundIds.values();
  }

  clear(): void {
    this.outboundEntries.clear();
    this.inboundIds.clear();
  }
}
