import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { CLIENT_DECODERS, CLIENT_ENCODERS } from '../codec/client-packet-types.js';
import { encodeWith, type EncodeOptions } from '../codec/encode.js';
import { DecodeError } from '../errors.js';
import { decodePacketsWith } from '../operators/decode-packets.js';
import type { Packet, ProtocolVersion } from '../codec/packet.js';
import type { Transport } from '../transport/transport.js';

/**
 * A hot multicast like a Subject, at less cost per value: the observers are a copy-on-write array
 * (each value goes to the observers present when it was emitted), iterated by index, with no
 * closure or iterator allocated per value. Terminal notifications reach later subscribers too.
 */
class Fanout<T> {
  private observers: readonly Subscriber<T>[] = [];
  private stopped = false;
  private failed = false;
  private thrown: unknown = undefined;
  readonly observable: Observable<T> = new Observable<T>((subscriber) => {
    if (this.stopped) {
      if (this.failed) subscriber.error(this.thrown);
      else subscriber.complete();
      return undefined;
    }
    this.observers = [...this.observers, subscriber];
    return () => {
      this.observers = this.observers.filter((o) => o !== subscriber);
    };
  });

  get observed(): boolean {
    return this.observers.length > 0;
  }

  next(value: T): void {
    const list = this.observers;
    for (let i = 0; i < list.length; i++) list[i].next(value);
  }

  error(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.failed = true;
    this.thrown = error;
    const list = this.observers;
    this.observers = [];
    for (let i = 0; i < list.length; i++) list[i].error(error);
  }

  complete(): void {
    if (this.stopped) return;
    this.stopped = true;
    const list = this.observers;
    this.observers = [];
    for (let i = 0; i < list.length; i++) list[i].complete();
  }
}

/**
 * Waiters for "the transport can take more" (or "the channel ended"): each signal reaches the
 * waiters present when it came. A Set, so that the many senders that stop waiting after one signal
 * (take(1)) leave in constant time each.
 */
class Signal {
  private readonly waiters = new Set<Subscriber<void>>();
  readonly observable: Observable<void> = new Observable<void>((subscriber) => {
    this.waiters.add(subscriber);
    return () => {
      this.waiters.delete(subscriber);
    };
  });

  emit(): void {
    if (this.waiters.size === 0) return;
    for (const waiter of [...this.waiters]) waiter.next();
  }
}

/** Options of {@link PacketChannel}. */
export interface PacketChannelOptions {
  readonly protocolVersion: ProtocolVersion;
  /** Largest packet we accept (our CONNECT's Maximum Packet Size); larger ones are a DecodeError. */
  readonly maximumPacketSize?: number;
  /**
   * Called with every packet: `in` as it is decoded, before the observers of `packets` see it;
   * `out` once it was written to the transport. Must not throw.
   */
  readonly onPacket?: (direction: 'in' | 'out', packet: Packet) => void;
}

/**
 * A transport seen as a client's packets: decodes what arrives, encodes what is sent, through the
 * client's packet tables (a packet only a client sends, received, is handed on as `{ type }`).
 *
 * `packets` is hot: it emits decoded packets to the observers present (decoded by
 * {@link decodePackets}, the one decode path), completes when the transport closes, and errors with
 * a DecodeError (malformed bytes, a packet above `maximumPacketSize` refused as soon as its fixed
 * header is read, or `DECODE_TRUNCATED` when the transport ends inside a packet) or the transport's
 * TransportError.
 * `sent` is hot and emits every packet after it was written (keep alive watches it).
 * `send` returns false when the transport's send buffer is full; `writable$` (hot) then emits once
 * it drained, or when the channel closed (nothing more will drain).
 * The channel starts reading when constructed, so subscribe to `packets` before sending.
 *
 * @example
 * ```ts
 * const channel = new PacketChannel(transport, { protocolVersion: 5 });
 * channel.packets.subscribe((p) => console.log(p.type));
 * channel.send({ type: 'pingreq' });
 * ```
 */
export class PacketChannel {
  private readonly incoming = new Fanout<Packet>();
  private readonly outgoing = new Fanout<Packet>();
  private readonly reading: Subscription | undefined;
  private readonly draining: Subscription | undefined;
  private readonly emit: (packet: Packet) => void;
  private readonly writable = new Signal();
  private closed = false;
  private hasEnded = false;
  private readingPaused = false;
  /** What every send encodes with (one object, not one per packet). */
  private encodeOptions: EncodeOptions;

  readonly packets: Observable<Packet> = this.incoming.observable;
  readonly sent: Observable<Packet> = this.outgoing.observable;
  readonly writable$: Observable<void> = this.writable.observable;

  constructor(
    private readonly transport: Transport,
    readonly options: PacketChannelOptions,
  ) {
    const onPacket = options.onPacket;
    // Without a hook, the hot path is the bare multicast call.
    this.emit =
      onPacket === undefined
        ? (packet) => this.incoming.next(packet)
        : (packet) => {
            onPacket('in', packet);
            this.incoming.next(packet);
          };
    this.encodeOptions = { protocolVersion: options.protocolVersion };
    // One subscription to the transport's drain signal, however many senders wait for it.
    this.draining = transport.writable$?.subscribe(() => this.writable.emit());
    // The client's packet tables: decoders of what a server sends, encoders of what a client sends.
    const decode = decodePacketsWith({ protocolVersion: options.protocolVersion, maximumPacketSize: options.maximumPacketSize }, CLIENT_DECODERS);
    this.reading = transport.incoming.pipe(decode).subscribe({
      next: this.emit,
      error: (error: unknown) => {
        if (error instanceof DecodeError && error.code !== 'DECODE_TRUNCATED') {
          // Malformed bytes: the stream can no longer be framed. Report, then close the transport.
          this.incoming.error(error);
          this.close();
          return;
        }
        // The transport failed, or ended inside a packet (DECODE_TRUNCATED): it is gone already.
        this.closed = true;
        this.incoming.error(error);
        this.ended();
      },
      complete: () => {
        this.closed = true;
        this.incoming.complete();
        this.ended();
      },
    });
  }

  /** The server's Maximum Packet Size once known: a larger packet throws EncodeError before sending. */
  get outgoingMaximumPacketSize(): number | undefined {
    return this.encodeOptions.maximumPacketSize;
  }

  set outgoingMaximumPacketSize(maximumPacketSize: number | undefined) {
    this.encodeOptions = { protocolVersion: this.options.protocolVersion, maximumPacketSize };
  }

  get protocolVersion(): ProtocolVersion {
    return this.options.protocolVersion;
  }

  /** True once closed by either side. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Encodes and writes `packet`; returns false when the transport's buffer is now full (wait for
   * `writable$`). Throws EncodeError (nothing is written) when it cannot be encoded.
   */
  send(packet: Packet): boolean {
    if (this.closed) return true;
    const bytes = encodeWith(CLIENT_ENCODERS, packet, this.encodeOptions);
    const writable = this.transport.send(bytes) !== false;
    this.options.onPacket?.('out', packet);
    this.outgoing.next(packet);
    return writable;
  }

  /**
   * Stops reading the transport (when it can pause: see {@link Transport}); packets already
   * decoded still come. Idempotent. Returns false when the transport cannot pause.
   */
  pauseReading(): boolean {
    if (this.transport.pause === undefined) return false;
    if (!this.readingPaused && !this.closed) {
      this.readingPaused = true;
      this.transport.pause();
    }
    return true;
  }

  /** Reads the transport again after {@link pauseReading}. Idempotent. */
  resumeReading(): void {
    if (!this.readingPaused) return;
    this.readingPaused = false;
    if (!this.closed) this.transport.resume?.();
  }

  /** True while reading is paused: packets the server sends meanwhile (a PINGRESP too) are not seen. */
  get isReadingPaused(): boolean {
    return this.readingPaused;
  }

  /** Closes the transport; `packets` completes (if it has not ended already). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.close();
    this.reading?.unsubscribe();
    this.incoming.complete();
    this.outgoing.complete();
    this.ended();
  }

  /** Nothing more will drain: the waiting senders hear it once, and the drain listener goes. */
  private ended(): void {
    if (this.hasEnded) return;
    this.hasEnded = true;
    this.draining?.unsubscribe();
    this.writable.emit();
  }
}
