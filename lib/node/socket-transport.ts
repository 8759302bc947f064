import type { Socket } from 'node:net';
import { Observable, Subject } from 'rxjs';
import { TransportError } from '../errors.js';
import type { Transport } from '../transport/transport.js';

/** Packets up to this size are copied into the tick's gather buffer; larger ones are written as they are. */
const GATHER_MAX_PACKET = 2048;
/** Size of a gather buffer; a buffer handed to the socket is never written again, so a new one follows. */
const GATHER_BUFFER_SIZE = 64 * 1024;

/**
 * Wraps a connected Node socket (`net.Socket` or `tls.TLSSocket`) as a {@link Transport}.
 * Used by the TCP and TLS transports and by the broker for accepted connections.
 *
 * `incoming` is hot (see {@link Transport}); it completes when the peer ends the connection and
 * errors with a `TransportError` (code `TRANSPORT_ERROR`, the socket error as `cause`) on failure.
 * The packets sent in one tick leave in one socket write: small ones are copied into one buffer
 * (no per-packet stream bookkeeping), larger ones join it in the same corked write. `send` returns
 * false once the socket's buffer, counting what waits for the end of the tick, reaches its
 * highWaterMark (16 KiB by default); `writable$` then emits on the socket's 'drain'. `pause()` /
 * `resume()` stop and restart reading the socket (`socket.pause()` / `socket.resume()`), so TCP
 * pushes back on the peer.
 *
 * @example
 * ```ts
 * server.on('connection', (socket) => handle(socketTransport(socket)));
 * ```
 */
export function socketTransport(socket: Socket): Transport {
  const incoming = new Subject<Uint8Array>();
  let closed = false;
  socket.setNoDelay(true);
  const drained = new Subject<void>();
  socket.on('data', (chunk: Buffer) => incoming.next(chunk));
  socket.on('drain', () => drained.next());
  socket.on('error', (error: Error) => {
    closed = true;
    incoming.error(new TransportError(`socket error: ${describeSocketError(error)}`, { cause: error }));
  });
  socket.on('close', () => {
    closed = true;
    incoming.complete();
  });
  const highWaterMark = socket.writableHighWaterMark;
  // This tick's small packets: gather[start, end) waits for the end of the tick.
  let gather = Buffer.allocUnsafe(0);
  let start = 0;
  let end = 0;
  let scheduled = false;
  let corked = false;
  /** Hands the gathered packets to the socket (one write). */
  const writeGathered = (): void => {
    if (end === start) return;
    const bytes = gather.subarray(start, end);
    start = end;
    // The socket keeps this region until written: the next packets go after it, never over it.
    if (!socket.destroyed) socket.write(bytes);
  };
  const flush = (): void => {
    scheduled = false;
    // Corked even for one write: Node then counts the bytes against the highWaterMark before
    // writing, so a send that answered false is followed by 'drain' even when the write completes at
    // once (an uncorked write that the kernel takes whole answers true and never emits 'drain').
    if (end > start && !corked && !socket.destroyed) {
      corked = true;
      socket.cork();
    }
    writeGathered();
    if (corked) {
      corked = false;
      if (!socket.destroyed) socket.uncork();
    }
  };
  return {
    incoming: new Observable<Uint8Array>((subscriber) => incoming.subscribe(subscriber)),
    send(bytes: Uint8Array): boolean {
      if (closed || socket.destroyed) return true;
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
      const size = bytes.byteLength;
      if (size > GATHER_MAX_PACKET) {
        // Written as it is, after what was gathered before it, in the same write at the end of the tick.
        if (!corked) {
          corked = true;
          socket.cork();
        }
        writeGathered();
        return socket.write(bytes);
      }
      if (gather.length - end < size) {
        // The gathered part moves to a new buffer (the old one may be held by an earlier write).
        const next = Buffer.allocUnsafe(Math.max(GATHER_BUFFER_SIZE, end - start + size));
        gather.copy(next, 0, start, end);
        end -= start;
        start = 0;
        gather = next;
      }
      gather.set(bytes, end);
      end += size;
      // What Node's socket.write would answer had the bytes been written now: all of them reach the
      // socket at the end of this tick, so a false here is always followed by 'drain'.
      return socket.writableLength + (end - start) < highWaterMark;
    },
    // One socket listener shared by every waiting sender, however many publishes wait for 'drain'.
    writable$: drained.asObservable(),
    pause(): void {
      if (!socket.destroyed) socket.pause();
    },
    resume(): void {
      if (!socket.destroyed) socket.resume();
    },
    close(): void {
      if (closed) return;
      closed = true;
      flush(); // what was sent in this tick goes before the FIN
      socket.end();
      // Do not wait forever for a peer that never acknowledges the FIN.
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}

/** What {@link openSocketTransport} needs to open one connection. */
export interface OpenSocketOptions {
  /** Names the connection in error messages, e.g. `TCP connection to 127.0.0.1:1883`. */
  readonly label: string;
  /** Starts connecting; called once per subscription. */
  readonly create: () => Socket;
  /** The event that means "open": `connect` for TCP, `secureConnect` for TLS. */
  readonly readyEvent: 'connect' | 'secureConnect';
  /** Milliseconds to wait for `readyEvent` before giving up. */
  readonly connectTimeout: number;
}

/**
 * The cold open-a-socket Observable shared by the TCP and TLS transports: subscribing calls
 * `create()`, emits the {@link socketTransport} once `readyEvent` fires, then completes; once that
 * transport is closed, the socket no longer keeps the process alive. It errors
 * with a `TransportError` naming `label` and the cause (code `TRANSPORT_TIMEOUT` when
 * `connectTimeout` passes). Unsubscribing before it emitted destroys the socket.
 */
export function openSocketTransport(options: OpenSocketOptions): Observable<Transport> {
  const { label, create, readyEvent, connectTimeout } = options;
  return new Observable<Transport>((subscriber) => {
    let socket: Socket;
    try {
      socket = create();
    } catch (cause) {
      subscriber.error(new TransportError(`${label} could not be started: ${describeSocketError(cause)}`, { cause }));
      return undefined;
    }
    let settled = false;
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (error: TransportError): void => {
      cleanup();
      socket.destroy();
      subscriber.error(error);
    };
    const onReady = (): void => {
      cleanup();
      const transport = socketTransport(socket);
      subscriber.next({
        ...transport,
        close: () => {
          transport.close();
          // A client waits for nothing once it closed: the peer's FIN may never come (a peer
          // that does not read, or keeps its half open), and the half-closed socket must not keep
          // the process alive meanwhile. Writes still pending (the DISCONNECT) are requests of
          // their own and keep the process until written.
          socket.unref();
        },
      });
      subscriber.complete();
    };
    const onError = (cause: Error): void => {
      fail(new TransportError(`${label} failed: ${describeSocketError(cause)}`, { cause }));
    };
    const onClose = (): void => {
      fail(new TransportError(`${label} was closed by the peer before it was established`));
    };
    const timer = setTimeout(() => {
      fail(new TransportError(`${label} timed out after ${connectTimeout} ms`, { code: 'TRANSPORT_TIMEOUT' }));
    }, connectTimeout);
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    socket.once('close', onClose);
    return () => {
      // Abandoned before open: close the half-open socket. After open the Transport owns it.
      if (!settled) {
        cleanup();
        socket.destroy();
      }
    };
  });
}

const certificateCodes = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME|CHAIN/;

/**
 * A one-line description of a socket error: its code and message, the messages of an
 * `AggregateError` (Node tries IPv4 and IPv6 addresses in turn), and a hint for TLS certificate
 * problems.
 */
export function describeSocketError(error: unknown): string {
  // Duck-typed: errors from Node internals may come from another realm (e.g. under test runners).
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return String(error);
  const { code, errors, name } = error as { code?: unknown; errors?: unknown; name?: unknown };
  let message = (error as Error).message;
  if (Array.isArray(errors) && errors.length > 0) {
    message = errors.map((e: unknown) => (typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e))).join('; ');
  }
  if (typeof code === 'string') {
    if (!message.includes(code)) message = `${code}: ${message}`;
    if (certificateCodes.test(code)) message = `TLS certificate problem: ${message}`;
  }
  return message === '' ? String(name) : message;
}
