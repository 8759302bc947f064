import type { Packet } from '../codec/packet.js';

/** One packet seen by the {@link ClientOptions.trace} hook. */
export interface PacketTraceEvent {
  /** `in`: decoded from the server, before the client acts on it; `out`: written to the transport. */
  readonly direction: 'in' | 'out';
  /** The decoded packet, as the codec's plain object (do not modify it). */
  readonly packet: Packet;
  /** When, in milliseconds since the epoch (`Date.now()`). */
  readonly time: number;
  /** Which connection of the client: 1 for the first, counting every attempt. */
  readonly connection: number;
}

/** A snapshot of the client's counters and queues (see `MqttClient.stats`). */
export interface ClientStats {
  /** Packets received and sent over every connection since the client was created. */
  readonly packetsIn: number;
  /** Packets sent over every connection since the client was created. */
  readonly packetsOut: number;
  /** PUBLISH packets received (resent duplicates included) and sent (resends included). */
  readonly messagesIn: number;
  /** PUBLISH packets sent (resends included). */
  readonly messagesOut: number;
  /**
   * Inbound messages not yet completely acknowledged: QoS 2 messages waiting for their PUBREL
   * (QoS 0 and 1 are acknowledged on delivery).
   */
  readonly inboundInFlight: number;
  /**
   * Units of the inbound window in use on the current connection (0 while not connected): messages
   * delivered and not yet acknowledged, QoS 2 until PUBCOMP, manual QoS 0 until acked (see the
   * `receiveMaximum` option and docs/flow-control.md).
   */
  readonly inboundWindowInUse: number;
  /** Outbound QoS 1/2 publishes sent (or to be resent) and not yet acknowledged. */
  readonly outboundInFlight: number;
  /** Publishes waiting to be sent: for a Receive Maximum slot, or offline for a connection. */
  readonly queued: number;
  /** Reconnect attempts scheduled after lost connections or failed attempts. */
  readonly reconnects: number;
  /** Publishes dropped unsent because their MQTT 5 Message Expiry Interval ran out while they waited in the queue. */
  readonly expired: number;
}

/**
 * The client's running counts, updated once per packet without allocating. Internal to the client;
 * `snapshot` builds the public {@link ClientStats}.
 *
 * @example
 * ```ts
 * const counters = new ClientCounters();
 * counters.count('in', { type: 'pingresp' });
 * counters.packetsIn; // 1
 * ```
 */
export class ClientCounters {
  packetsIn = 0;
  packetsOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  reconnects = 0;

  count(direction: 'in' | 'out', packet: Packet): void {
    const publish = packet.type === 'publish' ? 1 : 0;
    if (direction === 'in') {
      this.packetsIn++;
      this.messagesIn += publish;
    } else {
      this.packetsOut++;
      this.messagesOut += publish;
    }
  }

  snapshot(queues: {
    readonly inboundInFlight: number;
    readonly inboundWindowInUse: number;
    readonly outboundInFlight: number;
    readonly queued: number;
    readonly expired: number;
  }): ClientStats {
    return {
      packetsIn: this.packetsIn,
      packetsOut: this.packetsOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      inboundInFlight: queues.inboundInFlight,
      inboundWindowInUse: queues.inboundWindowInUse,
      outboundInFlight: queues.outboundInFlight,
      queued: queues.queued,
      reconnects: this.reconnects,
      expired: queues.expired,
    };
  }
}
