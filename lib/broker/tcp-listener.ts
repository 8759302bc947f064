import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { TransportError } from '../errors.js';

/** How long closing waits for connections to finish before destroying them. */
const CLOSE_GRACE_MS = 250;

/** A listening socket server of the broker. */
export interface Listener {
  /** The port actually bound (useful after asking for port 0). */
  readonly port: number;
  /** Stops accepting, ends every open socket (destroying it after a short grace) and resolves when the port is free. */
  close(): Promise<void>;
}

/**
 * Listens for plain TCP (or, with `tls`, TLS) connections and hands each accepted socket to
 * `onSocket`. Resolves once bound; rejects with a TransportError when the port cannot be bound.
 *
 * @example
 * ```ts
 * const listener = await listenTcp(0, '127.0.0.1', (socket) => serve(socketTransport(socket)));
 * ```
 */
export function listenTcp(port: number, host: string, onSocket: (socket: Socket) => void, tls?: TlsOptions): Promise<Listener> {
  const sockets = new Set<Socket>();
  const accept = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A socket error is reported through the transport; this keeps it from being unhandled.
    socket.on('error', () => undefined);
    onSocket(socket);
  };
  const server: Server = tls === undefined ? createNetServer(accept) : createTlsServer(tls, accept);
  // A failed TLS handshake only concerns that socket.
  server.on('tlsClientError', () => undefined);
  return new Promise<Listener>((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(new TransportError(`cannot listen on ${host}:${port}: ${error.message}`, { code: 'LISTEN_FAILED', cause: error }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', () => undefined);
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Connections were asked to end; give their last bytes (a DISCONNECT) a moment to leave.
            const timer = setTimeout(() => {
              for (const socket of sockets) socket.destroy();
            }, CLOSE_GRACE_MS);
            timer.unref();
          }),
      });
    });
  });
}
