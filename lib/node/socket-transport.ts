import type { Socket } from 'node:net';
import { Observable, Subject } from 'rxjs';
import { TransportError } from '../errors.js';
import type { Transport } from '../transport/transport.js';

/**
 * Wraps a connected Node socket (`net.Socket` or `tls.TLSSocket`) as a {@link Transport}.
 * Used by the TCP and TLS transports and by the broker for accepted connections.
 *
 * `incoming` is hot (see {@link Transport}); it completes when the peer ends the connection and
 * errors with a `TransportError` (code `TRANSPORT_ERROR`, the socket error as `cause`) on failure.
 * Writes made in the same tick are corked into one socket write.
 *
 * @example
 * ```ts
 * server.on('connection', (socket) => handle(socketTransport(socket)));
 * ```
 */
export function socketTransport(socket: Socket): Transport {
  const incoming = new Subject<Uint8Array>();
  let closed = false;
  let corked = false;
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => incoming.next(chunk));
  socket.on('error', (error: Error) => {
    closed = true;
    incoming.error(new TransportError(`socket error: ${error.message}`, { cause: error }));
  });
  socket.on('close', () => {
    closed = true;
    incoming.complete();
  });
  const uncork = (): void => {
    corked = false;
    if (!socket.destroyed) socket.uncork();
  };
  return {
    incoming: new Observable<Uint8Array>((subscriber) => incoming.subscribe(subscriber)),
    send(bytes: Uint8Array): void {
      if (closed || socket.destroyed) return;
      if (!corked) {
        corked = true;
        socket.cork();
        queueMicrotask(uncork);
      }
      socket.write(bytes);
    },
    close(): void {
      if (closed) return;
      closed = true;
      socket.end();
      // Do not wait forever for a peer that never acknowledges the FIN.
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}
