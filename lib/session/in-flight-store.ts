import type { PublishPacket } from '../codec/packet.js';

/**
 * Where an outbound QoS 1/2 message stands: `publish` = PUBLISH sent, waiting for PUBACK or PUBREC;
 * `pubrel` = PUBREC received and PUBREL sent, waiting for PUBCOMP.
 */
export type OutboundState = 'publish' | 'pubrel';

/** One outbound QoS 1/2 message still in flight. `packet.packetId` is its key. */
export interface OutboundEntry {
  /** The PUBLISH as sent; after a reconnect it is sent again with `dup` set. */
  readonly packet: PublishPacket;
  /** Which acknowledgement it waits for: PUBACK/PUBREC (`publish`) or PUBCOMP (`pubrel`). */
  readonly state: OutboundState;
}

/**
 * The session state that must survive a reconnect for QoS 1 and 2 to keep their promises
 * (MQTT section 4.1): outbound messages not yet completely acknowledged, and the packet identifiers
 * of inbound QoS 2 messages received but not yet released by PUBREL.
 *
 * The flows write through this interface, so a persistent store (a file, IndexedDB) can replace the
 * default {@link MemoryInFlightStore} and a resumed session can resend what it holds, in order.
 * Methods are synchronous; a persistent implementation may write behind.
 *
 * @example
 * ```ts
 * const store: InFlightStore = new MemoryInFlightStore();
 * store.putOutbound({ packet, state: 'publish' });
 * for (const entry of store.outbound()) resend(entry);
 * ```
 */
export interface InFlightStore {
  /** Adds or replaces the entry keyed by `entry.packet.packetId`. */
  putOutbound(entry: OutboundEntry): void;
  /** The entry of `packetId`, or undefined. */
  getOutbound(packetId: number): OutboundEntry | undefined;
  /** Returns false when there was no such entry. */
  deleteOutbound(packetId: number): boolean;
  /** The outbound entries in the order they were first put. */
  outbound(): Iterable<OutboundEntry>;
  /** Records an inbound QoS 2 identifier; returns false when it was already held (a resent PUBLISH). */
  addInbound(packetId: number): boolean;
  /** Whether an inbound QoS 2 identifier is held (received, not yet released). */
  hasInbound(packetId: number): boolean;
  /** Releases an inbound QoS 2 identifier (on PUBREL); returns false when it was not held. */
  deleteInbound(packetId: number): boolean;
  /** The held inbound QoS 2 identifiers. */
  inbound(): Iterable<number>;
  /** Forgets everything (a clean start). */
  clear(): void;
}
