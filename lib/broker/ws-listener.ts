import { Subject, Observable } from 'rxjs';
import { TransportError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { DEFAULT_ALLOWED_ORIGINS, originAllowed } from './origin-policy.js';
import type { Listener } from './tcp-listener.js';

/** The part of a `ws` server-side socket the broker uses. */
interface WsSocket {
  binaryType: string;
  readonly readyState: number;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount?: number;
  on(event: 'message', listener: (data: Uint8Array | ArrayBuffer | Uint8Array[]) => void): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(data: Uint8Array, callback?: (error?: Error) => void): void;
  close(): void;
  terminate(): void;
  /** Stop and restart reading (ws 8): a held publisher is pushed back by TCP. */
  pause?(): void;
  resume?(): void;
}

function toBytes(data: Uint8Array | ArrayBuffer | Uint8Array[]): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data)) {
    const total = data.reduce((n, part) => n + part.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const part of data) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
  return new Uint8Array(data);
}

/** Bytes a WebSocket may buffer before `send()` says so (the same as a Node socket's default high-water mark). */
const WS_HIGH_WATER = 16 * 1024;

/**
 * Wraps an accepted `ws` WebSocket as a {@link Transport} (binary frames carry the MQTT bytes).
 * Backpressure: `send()` returns false once more than 16 KiB wait to be written, and `writable$`
 * emits when a later write completes with the buffer back under that mark. `pause()` / `resume()`
 * stop and restart reading the WebSocket (`ws` 8), so TCP pushes back on the client.
 */
export function wsServerTransport(ws: WsSocket): Transport {
  const incoming = new Subject<Uint8Array>();
  const drained = new Subject<void>();
  let waiting = false;
  const onWritten = (): void => {
    if (waiting && (ws.bufferedAmount ?? 0) <= WS_HIGH_WATER) {
      waiting = false;
      drained.next();
    }
  };
  let closed = false;
  ws.binaryType = 'nodebuffer';
  ws.on('message', (data) => incoming.next(toBytes(data)));
  ws.on('error', (error) => {
    closed = true;
    incoming.error(new TransportError(`websocket error: ${error.message}`, { cause: error }));
  });
  ws.on('close', () => {
    closed = true;
    incoming.complete();
  });
  return {
    incoming: new Observable<Uint8Array>((subscriber) => incoming.subscribe(subscriber)),
    send(bytes: Uint8Array): boolean {
      if (closed || ws.readyState !== 1) return true;
      ws.send(bytes, onWritten);
      if ((ws.bufferedAmount ?? 0) <= WS_HIGH_WATER) return true;
      waiting = true;
      return false;
    },
    writable$: drained.asObservable(),
    // Reading stops at the socket: what the client sends meanwhile waits in the network.
    pause: ws.pause === undefined ? undefined : () => ws.pause?.(),
    resume: ws.resume === undefined ? undefined : () => ws.resume?.(),
    close(): void {
      if (closed) return;
      closed = true;
      ws.close();
      setTimeout(() => ws.terminate(), 1000).unref();
    },
  };
}

/**
 * Listens for MQTT over WebSocket with the `ws` package (an optional peer dependency, loaded only
 * when a websocket listener is asked for). Accepts the `mqtt` subprotocol (and `mqttv3.1`).
 * An upgrade whose `Origin` header is not in `allowedOrigins` (see {@link originAllowed}; requests
 * without an Origin pass) is answered with HTTP 403 and never becomes a connection; `onRefused`
 * hears of it. Rejects with a TransportError (code `WS_MISSING`) when `ws` is not installed.
 *
 * @example
 * ```ts
 * const listener = await listenWebSocket(0, '127.0.0.1', undefined, 1 << 20, (t) => serve(t));
 * ```
 */
export async function listenWebSocket(
  port: number,
  host: string,
  path: string | undefined,
  maxPayload: number,
  onTransport: (transport: Transport) => void,
  allowedOrigins: readonly string[] = DEFAULT_ALLOWED_ORIGINS,
  onRefused: (origin: string) => void = () => undefined,
): Promise<Listener> {
  type WsModule = { WebSocketServer?: typeof import('ws').WebSocketServer; default?: { WebSocketServer: typeof import('ws').WebSocketServer } };
  let ws: WsModule;
  try {
    ws = (await import('ws')) as unknown as WsModule;
  } catch (error) {
    throw new TransportError('the websocket listener needs the "ws" package: npm install ws', { code: 'WS_MISSING', cause: error });
  }
  const WebSocketServer = ws.WebSocketServer ?? ws.default?.WebSocketServer;
  if (WebSocketServer === undefined) throw new TransportError('the "ws" package has no WebSocketServer', { code: 'WS_MISSING' });
  const server = new WebSocketServer({
    port,
    host,
    path,
    maxPayload,
    perMessageDeflate: false,
    handleProtocols: (protocols: Set<string>) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    // A browser lets any page open ws://127.0.0.1:PORT; the Origin header says which page it is.
    verifyClient: (info: { origin?: string }, done: (ok: boolean, code?: number, message?: string) => void) => {
      const origin = typeof info.origin === 'string' && info.origin !== '' ? info.origin : undefined;
      if (originAllowed(origin, allowedOrigins)) return done(true);
      onRefused(origin as string);
      done(false, 403, 'Origin not allowed');
    },
  });
  server.on('connection', (socket) => onTransport(wsServerTransport(socket as unknown as WsSocket)));
  return new Promise<Listener>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.close();
      reject(new TransportError(`cannot listen on ${host}:${port}: ${error.message}`, { code: 'LISTEN_FAILED', cause: error }));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      server.on('error', () => undefined);
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}
