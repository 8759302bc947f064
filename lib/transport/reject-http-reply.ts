import { Observable } from 'rxjs';
import { ProtocolError } from '../errors.js';
import type { Transport } from './transport.js';

/** `HTTP/` in ASCII: how every HTTP response begins. */
const HTTP = [0x48, 0x54, 0x54, 0x50, 0x2f];

/**
 * Wraps a client's transport so that an HTTP response where the CONNACK should be (an `mqtt://` URL
 * pointed at a WebSocket or web port) fails with a clear {@link ProtocolError} (code
 * `HTTP_RESPONSE`) that suggests `ws://`, instead of a puzzling decode error about the "H" of
 * `HTTP/1.1`. Only the first bytes of the connection are looked at: no MQTT server can start its
 * answer with `H` (0x48 would be a PUBACK with reserved flags before the CONNACK [MQTT-3.2.0-1]).
 *
 * `incoming` stays hot like the wrapped one; `send`, `writable$`, `close`, `pause` and `resume` are the wrapped ones.
 *
 * @example
 * ```ts
 * const channel = new PacketChannel(rejectHttpReply(transport), { protocolVersion: 4 });
 * ```
 */
export function rejectHttpReply(transport: Transport): Transport {
  let first = true;
  const incoming = new Observable<Uint8Array>((subscriber) =>
    transport.incoming.subscribe({
      next(chunk) {
        if (first && chunk.length > 0) {
          first = false;
          if (looksLikeHttp(chunk)) {
            subscriber.error(
              new ProtocolError(
                `the server answered CONNECT with HTTP (${statusLine(chunk)}), so this is a WebSocket or web port, not an MQTT one: ` +
                  'use a ws:// or wss:// URL (often with the path /mqtt), or the MQTT port of the broker (1883 by default)',
                { code: 'HTTP_RESPONSE', specRef: 'MQTT-3.2.0-1' },
              ),
            );
            return;
          }
        }
        subscriber.next(chunk);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    }),
  );
  const wrapped: Transport = {
    incoming,
    send: (bytes) => transport.send(bytes),
    close: () => transport.close(),
    // Reading control passes through (the client's inbound window pauses the socket).
    pause: transport.pause === undefined ? undefined : () => transport.pause?.(),
    resume: transport.resume === undefined ? undefined : () => transport.resume?.(),
  };
  return transport.writable$ === undefined ? wrapped : { ...wrapped, writable$: transport.writable$ };
}

/** The chunk starts with `HTTP/`, or with as much of it as the chunk holds. */
function looksLikeHttp(chunk: Uint8Array): boolean {
  const n = Math.min(chunk.length, HTTP.length);
  for (let k = 0; k < n; k++) if (chunk[k] !== HTTP[k]) return false;
  return true;
}

/** The status line (`HTTP/1.1 400 Bad Request`), printable ASCII only, at most 60 characters. */
function statusLine(chunk: Uint8Array): string {
  let line = '';
  for (let k = 0; k < chunk.length && line.length < 60; k++) {
    const byte = chunk[k]!;
    if (byte === 0x0d || byte === 0x0a) break;
    line += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?';
  }
  return JSON.stringify(line);
}
