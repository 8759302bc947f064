import { map, Observable, Subject } from 'rxjs';
import type { Packet } from '../codec/packet.js';
import { decodePackets } from '../operators/decode-packets.js';
import type { Transport, TransportFactory } from '../transport/transport.js';

/** Which way a traced packet went. */
export type TraceDirection = 'sent' | 'received';

/**
 * Wraps a client's {@link TransportFactory} so that every packet sent and received is also handed
 * to `onPacket`, decoded by {@link decodePackets} from a copy of the byte streams; this is what
 * `rxmqtt pub -d` and `rxmqtt sub -d` print. The client sees the same bytes, in the same order;
 * `onPacket` sees a received packet just before the client does. Bytes the trace cannot decode stop
 * the trace of that direction, never the connection.
 *
 * Cold like the wrapped factory: each subscription opens one connection.
 *
 * @example
 * ```ts
 * const transport = traceTransport(tcpTransport({ host, port }), 4, (dir, p) => console.error(dir, p.type));
 * ```
 */
export function traceTransport(factory: TransportFactory, protocolVersion: 4 | 5, onPacket: (direction: TraceDirection, packet: Packet) => void): TransportFactory {
  return () => factory().pipe(map((transport) => traced(transport, protocolVersion, onPacket)));
}

function traced(transport: Transport, protocolVersion: 4 | 5, onPacket: (direction: TraceDirection, packet: Packet) => void): Transport {
  const ignore = (): void => undefined;
  // The client's side of the stream starts with CONNECT, so the decoder learns the version from it.
  const sent = new Subject<Uint8Array>();
  const sentTrace = sent.pipe(decodePackets()).subscribe({ next: (packet) => onPacket('sent', packet), error: ignore });
  const incoming = new Observable<Uint8Array>((subscriber) => {
    const receivedTrace = transport.incoming
      .pipe(decodePackets({ protocolVersion }))
      .subscribe({ next: (packet) => onPacket('received', packet), error: ignore });
    const forward = transport.incoming.subscribe(subscriber);
    return () => {
      receivedTrace.unsubscribe();
      forward.unsubscribe();
    };
  });
  const wrapped: Transport = {
    incoming,
    send: (bytes) => {
      sent.next(bytes);
      return transport.send(bytes);
    },
    close: () => {
      sentTrace.unsubscribe();
      transport.close();
    },
  };
  return transport.writable$ === undefined ? wrapped : { ...wrapped, writable$: transport.writable$ };
}
