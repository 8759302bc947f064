import type { Observable } from 'rxjs';

/**
 * A connected byte pipe to a broker (or, on the broker side, to a client).
 *
 * - `incoming` emits the received byte chunks in order. Chunk boundaries mean nothing: a chunk may
 *   hold part of a packet or several packets. It completes when the peer closes in an orderly way
 *   and errors with a `TransportError` on failure. It is hot: bytes are delivered to the
 *   subscribers present when they arrive, so subscribe before the first `send`.
 * - `send` writes bytes; after close it is a no-op. Backpressure (optional): it returns `false` when
 *   the bytes were taken but the transport's send buffer is now above its high-water mark; the
 *   caller should then wait for `writable$` before counting more bytes as handed over. `true` or
 *   nothing (a transport without backpressure) means "go on".
 * - `writable$` (optional, hot): emits each time the send buffer drained below the high-water mark
 *   after a `send` returned false. Subscribing and unsubscribing send nothing.
 * - `close` closes the connection; `incoming` then completes.
 * - `pause` / `resume` (optional): stop and restart reading, so the peer is pushed back by the
 *   network (TCP flow control) instead of filling memory. While paused, `incoming` emits nothing;
 *   what arrives meanwhile waits in the operating system's buffers (and, once they are full, at
 *   the sender). Both are idempotent. The client's inbound window (docs/flow-control.md) uses them;
 *   a transport without them (a WebSocket cannot pause) keeps delivering, and the client holds what
 *   arrives past the window in memory instead.
 *
 * A QoS 0 publish completes when its bytes are handed to the transport, or, when `send` returned
 * false, once `writable$` emits (or the connection ends), so a loop that publishes on each
 * completion keeps pace with the network instead of filling memory.
 *
 * @example
 * ```ts
 * if (transport.send(bytes) === false) await firstValueFrom(transport.writable$!);
 * ```
 */
export interface Transport {
  /** Hot: the received byte chunks, in order; completes on an orderly close, errors with a `TransportError`. */
  readonly incoming: Observable<Uint8Array>;
  /** Writes `bytes`; returns false when the send buffer is above its high-water mark (wait for `writable$`). */
  send(bytes: Uint8Array): boolean | void;
  /** Hot: emits when the send buffer drained after a `send` returned false (optional). */
  readonly writable$?: Observable<void>;
  /** Closes the connection; `incoming` then completes. Idempotent. */
  close(): void;
  /** Stops reading from the network (optional); `incoming` emits nothing until `resume`. */
  pause?(): void;
  /** Starts reading again after `pause` (optional). */
  resume?(): void;
}

/**
 * Opens a transport. Cold: each subscription opens a new connection, emits the open `Transport`
 * once and completes; it errors with a `TransportError` when the connection cannot be opened.
 * Unsubscribing before it has emitted abandons the attempt and closes the socket.
 */
export type TransportFactory = () => Observable<Transport>;
