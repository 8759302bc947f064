import { Observable, Subject } from 'rxjs';
import { InvalidArgumentError, TransportError } from '../errors.js';
import type { Transport, TransportFactory } from './transport.js';
import { validateTimeout } from './validate-endpoint.js';

/**
 * The part of the WHATWG WebSocket API the transport uses. The platform `WebSocket` of browsers,
 * Deno and Node 22+, and the `ws` package's `WebSocket`, all fit.
 */
export interface WebSocketLike {
  /** Set to `arraybuffer` by the transport, so messages arrive as ArrayBuffer. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send` but not yet transmitted (platform WebSocket and `ws`); drives backpressure when present. */
  readonly bufferedAmount?: number;
  /** Called once the connection is open. */
  onopen: ((event: any) => void) | null;
  /** Called with each message event (`event.data` holds the bytes). */
  onmessage: ((event: any) => void) | null;
  /** Called on a connection error. */
  onerror: ((event: any) => void) | null;
  /** Called once the connection closed (`event.code`, `event.reason`). */
  onclose: ((event: any) => void) | null;
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Starts the closing handshake with an optional close code and reason. */
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor: `(url, protocols)`, plus an options object for the `ws` package. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: any) => WebSocketLike;

/** Options of {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /** `ws://` or `wss://` URL of the broker's WebSocket endpoint, e.g. `wss://broker.example.com/mqtt`. */
  readonly url: string | URL;
  /**
   * The WebSocket constructor. Default: the platform's `globalThis.WebSocket`. In Node before 22,
   * pass the `ws` package's: `import WebSocket from 'ws'`.
   */
  readonly WebSocket?: WebSocketConstructor;
  /** Subprotocols offered; must include `mqtt` [MQTT-6.0.0-3]. Default `['mqtt']`. */
  readonly protocols?: readonly string[];
  /** HTTP headers for the opening handshake. Browsers cannot send them: needs an injected `WebSocket` such as `ws`'s. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Further options for the constructor's third argument (e.g. `ca` or `rejectUnauthorized` with `ws`). */
  readonly webSocketOptions?: Readonly<Record<string, unknown>>;
  /** Milliseconds to wait for the connection to open before failing with `TRANSPORT_TIMEOUT`. Default 30 000. */
  readonly connectTimeout?: number;
}

const OPEN = 1;
/** Above this many buffered bytes `send` returns false (backpressure). */
const HIGH_WATER_MARK = 64 * 1024;
/** How often the buffer is checked while a sender waits for it to drain (WebSocket has no drain event). */
const DRAIN_POLL_MS = 10;
/**
 * Close codes after which the peer's close counts as orderly. 1006 (closed without a close frame)
 * is included unless an error event came first: it is what brokers such as Mosquitto do after
 * DISCONNECT, the WebSocket equivalent of a TCP FIN.
 */
const ORDERLY_CLOSE = new Set([1000, 1001, 1005, 1006]);

function validate(options: WebSocketTransportOptions): { url: string; Ctor: WebSocketConstructor; protocols: string[]; timeout: number } {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { url, WebSocket?, ... }');
  let url: URL;
  try {
    url = new URL(String(options.url));
  } catch {
    throw new InvalidArgumentError('url', `not a valid URL: ${JSON.stringify(String(options.url))}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InvalidArgumentError('url', `expected a ws: or wss: URL, got ${url.protocol}`);
  }
  const protocols = [...(options.protocols ?? ['mqtt'])];
  if (!protocols.every((p) => typeof p === 'string' && p !== '') || !protocols.includes('mqtt')) {
    // The client MUST include "mqtt" in the list of WebSocket Sub Protocols it offers [MQTT-6.0.0-3].
    throw new InvalidArgumentError('protocols', `must include 'mqtt', got ${JSON.stringify(protocols)}`, { specRef: 'MQTT-6.0.0-3' });
  }
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof Ctor !== 'function') {
    throw new InvalidArgumentError(
      'WebSocket',
      "no WebSocket constructor on this platform: pass one, e.g. webSocketTransport({ url, WebSocket }) with `import WebSocket from 'ws'`",
    );
  }
  if (options.headers !== undefined && options.WebSocket === undefined) {
    throw new InvalidArgumentError('headers', "the platform WebSocket cannot send headers: pass a WebSocket constructor that can, e.g. the 'ws' package's");
  }
  return { url: url.href, Ctor, protocols, timeout: validateTimeout(options.connectTimeout) };
}

/** Wraps an open WebSocket as a Transport. */
function wrap(socket: WebSocketLike, url: string): Transport {
  const incoming = new Subject<Uint8Array>();
  let closedByUs = false;
  let failure: string | undefined;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const drained = new Subject<void>();
  let polling: ReturnType<typeof setTimeout> | undefined;
  const buffered = (): number => pendingBytes + (socket.bufferedAmount ?? 0);
  // Polls only while someone was told to wait; stops when the buffer drained or the socket closed.
  const poll = (): void => {
    polling = undefined;
    if (closedByUs || socket.readyState !== OPEN || buffered() <= HIGH_WATER_MARK) {
      drained.next();
      return;
    }
    polling = setTimeout(poll, DRAIN_POLL_MS);
  };
  const flush = (): void => {
    const chunks = pending;
    pending = [];
    pendingBytes = 0;
    if (chunks.length === 0 || socket.readyState !== OPEN) return;
    if (chunks.length === 1) {
      socket.send(chunks[0]!);
      return;
    }
    // Several packets of one tick go out as one binary frame; receivers must not assume one
    // packet per frame [MQTT-6.0.0-2].
    const frame = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      frame.set(chunk, offset);
      offset += chunk.length;
    }
    socket.send(frame);
  };
  socket.onmessage = (event: { readonly data: unknown }) => {
    const { data } = event;
    if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
      incoming.next(new Uint8Array(data as ArrayBuffer));
    } else if (ArrayBuffer.isView(data)) {
      incoming.next(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } else {
      // MQTT packets MUST be sent in binary frames; on any other frame close the connection [MQTT-6.0.0-1].
      failure = 'received a non-binary WebSocket frame [MQTT-6.0.0-1]';
      socket.close(1002, 'MQTT needs binary frames');
    }
  };
  socket.onerror = (event: { message?: unknown }) => {
    failure ??= typeof event?.message === 'string' && event.message !== '' ? event.message : 'WebSocket error';
  };
  socket.onclose = (event: { code?: number; reason?: string }) => {
    socket.onmessage = null;
    if (polling !== undefined) {
      clearTimeout(polling);
      polling = undefined;
      drained.next(); // release waiters: nothing more will drain
    }
    const code = event?.code ?? 1005;
    if (failure === undefined && (closedByUs || ORDERLY_CLOSE.has(code))) {
      incoming.complete();
      return;
    }
    const why = failure ?? `closed with code ${code}${event?.reason ? ` (${event.reason})` : ''}`;
    incoming.error(new TransportError(`WebSocket connection to ${url} failed: ${why}`, { cause: event }));
  };
  return {
    incoming: incoming.asObservable(),
    send(bytes: Uint8Array): boolean {
      if (closedByUs || socket.readyState !== OPEN) return true;
      if (pending.length === 0) queueMicrotask(flush);
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (buffered() <= HIGH_WATER_MARK) return true;
      polling ??= setTimeout(poll, DRAIN_POLL_MS);
      return false;
    },
    writable$: drained.asObservable(),
    close(): void {
      if (closedByUs) return;
      flush();
      closedByUs = true;
      socket.close(1000);
    },
  };
}

/**
 * A {@link TransportFactory} for MQTT over WebSocket (`ws://`, `wss://`). Browser-safe: it uses the
 * platform `WebSocket`, or the constructor you inject (in Node, the `ws` package's `WebSocket`).
 * It offers the subprotocol `mqtt`, sends binary frames, and emits every received frame as one
 * `Uint8Array` chunk, whether it holds part of a packet or several packets [MQTT-6.0.0-2].
 *
 * Cold: each subscription opens a new WebSocket and emits the `Transport` when it is open, then
 * completes. Opening sends only the HTTP upgrade, no MQTT packet. Unsubscribing before open closes
 * the WebSocket. `incoming` completes on an orderly close (`close()`, or the peer closing with code
 * 1000, 1001, 1005, or 1006 without an error), and errors with a `TransportError` on an error
 * event, another close code, or a text frame [MQTT-6.0.0-1].
 *
 * Errors: throws `InvalidArgumentError` for a bad URL, protocols without `mqtt`, or when no
 * WebSocket constructor is available; the Observable errors with a `TransportError` naming the URL
 * when the connection cannot be opened, or code `TRANSPORT_TIMEOUT`.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws'; // Node only; browsers have one built in
 * webSocketTransport({ url: 'ws://localhost:8080/mqtt', WebSocket })()
 *   .subscribe((transport) => transport.send(connectBytes));
 * ```
 */
export function webSocketTransport(options: WebSocketTransportOptions): TransportFactory {
  const { url, Ctor, protocols, timeout } = validate(options);
  const extra =
    options.headers !== undefined || options.webSocketOptions !== undefined
      ? { ...options.webSocketOptions, ...(options.headers !== undefined ? { headers: { ...options.headers } } : {}) }
      : undefined;
  return () =>
    new Observable<Transport>((subscriber) => {
      let socket: WebSocketLike;
      try {
        socket = extra === undefined ? new Ctor(url, protocols) : new Ctor(url, protocols, extra);
      } catch (cause) {
        subscriber.error(new TransportError(`WebSocket connection to ${url} could not be started: ${describe(cause)}`, { cause }));
        return undefined;
      }
      socket.binaryType = 'arraybuffer';
      let settled = false;
      let detail: string | undefined;
      const settle = (): void => {
        settled = true;
        clearTimeout(timer);
        socket.onopen = socket.onerror = socket.onclose = null;
      };
      const abandon = (): void => {
        settle();
        // A late error event must not go unhandled (the `ws` package throws on unhandled 'error').
        socket.onerror = () => undefined;
        socket.close();
      };
      const timer = setTimeout(() => {
        abandon();
        subscriber.error(new TransportError(`WebSocket connection to ${url} timed out after ${timeout} ms`, { code: 'TRANSPORT_TIMEOUT' }));
      }, timeout);
      socket.onopen = () => {
        settle();
        subscriber.next(wrap(socket, url));
        subscriber.complete();
      };
      socket.onerror = (event: unknown) => {
        detail ??= describe(event);
      };
      socket.onclose = (event: { code?: number; reason?: string }) => {
        settle();
        const why = detail ?? `closed with code ${event?.code}${event?.reason ? ` (${event.reason})` : ''}`;
        subscriber.error(new TransportError(`WebSocket connection to ${url} failed: ${why}`, { cause: event }));
      };
      return () => {
        if (!settled) abandon();
      };
    });
}

/** The message of an error or error event (`ws` puts the underlying error on `event.error`). */
function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const { message, error } = value as { message?: unknown; error?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (error !== undefined && error !== value) return describe(error);
    return 'WebSocket error';
  }
  return String(value);
}
