import type { Observable } from 'rxjs';

/**
 * A connected byte pipe to a broker (or, on the broker side, to a client).
 *
 * - `incoming` emits the received byte chunks in order. Chunk boundaries mean nothing: a chunk may
 *   hold part of a packet or several packets. It completes when the peer closes in an orderly way
 *   and errors with a `TransportError` on failure. It is hot: bytes are delivered to the
 *   subscribers present when they arrive, so subscribe before the first `send`.
 * - `send` writes bytes; after close it is a no-op.
 * - `close` closes the connection; `incoming` then completes.
 */
export interface Transport {
  readonly incoming: Observable<Uint8Array>;
  send(bytes: Uint8Array): void;
  close(): void;
}

/**
 * Opens a transport. Cold: each subscription opens a new connection, emits the open `Transport`
 * once and completes; it errors with a `TransportError` when the connection cannot be opened.
 * Unsubscribing before it has emitted abandons the attempt and closes the socket.
 */
export type TransportFactory = () => Observable<Transport>;
