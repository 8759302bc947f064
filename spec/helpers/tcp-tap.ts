/**
 * Test helper: a real TCP transport to a broker that also records every packet that crosses it in
 * both directions, decoded by an independent decoder (mqtt-packet), and that can drop the socket
 * abruptly. Integration tests use it to see what actually went on the wire (e.g. that an
 * UNSUBSCRIBE was sent, or that nothing was sent) and to simulate a network failure.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { parser as mqttParser, type Packet as WirePacket } from 'mqtt-packet';
import { Observable, ReplaySubject, filter, firstValueFrom, take, timeout } from 'rxjs';
import { socketTransport } from '../../lib/node/socket-transport.js';
import type { Transport, TransportFactory } from '../../lib/transport/transport.js';

/** One packet seen on the wire: `out` = client to broker, `in` = broker to client. */
export interface TappedPacket {
  readonly dir: 'in' | 'out';
  /** Which connection (0 for the first the factory opened, 1 for the next, ...). */
  readonly connection: number;
  readonly packet: WirePacket;
}

export interface TcpTap {
  /** Give this to the client as `transport`. Every subscription opens a new TCP connection. */
  readonly factory: TransportFactory;
  /** Every packet seen so far, in order of observation. */
  readonly log: TappedPacket[];
  /** Replays every packet seen, then follows new ones. */
  readonly packets$: Observable<TappedPacket>;
  /** Resolves with the first packet (already seen or future) that matches, or rejects after `ms`. */
  next(predicate: (p: TappedPacket) => boolean, ms?: number): Promise<TappedPacket>;
  /** Packets of one direction and command, e.g. `sent('publish')`. */
  sent(cmd: WirePacket['cmd']): WirePacket[];
  received(cmd: WirePacket['cmd']): WirePacket[];
  /** Drops the current connection abruptly (TCP RST, no DISCONNECT): the broker sees a network failure. */
  kill(): void;
}

/**
 * Creates a tap to `host:port`.
 *
 * @example
 * ```ts
 * const tap = tcpTap(broker.host, broker.port);
 * const client = await connectAsync({ transport: tap.factory });
 * await tap.next((p) => p.dir === 'out' && p.packet.cmd === 'unsubscribe');
 * ```
 */
export function tcpTap(host: string, port: number): TcpTap {
  const log: TappedPacket[] = [];
  const seen = new ReplaySubject<TappedPacket>();
  let sockets: Socket[] = [];
  let connections = 0;

  const factory: TransportFactory = () =>
    new Observable<Transport>((subscriber) => {
      const connection = connections++;
      const settings: { protocolVersion: number } = { protocolVersion: 4 };
      const outParser = mqttParser(settings);
      const inParser = mqttParser(settings);
      const record = (dir: 'in' | 'out') => (packet: WirePacket) => {
        if (packet.cmd === 'connect' && packet.protocolVersion !== undefined) settings.protocolVersion = packet.protocolVersion;
        const entry: TappedPacket = { dir, connection, packet };
        log.push(entry);
        seen.next(entry);
      };
      outParser.on('packet', record('out'));
      inParser.on('packet', record('in'));
      const socket = netConnect({ host, port });
      sockets.push(socket);
      let opened = false;
      socket.once('error', (error) => {
        if (!opened) subscriber.error(error);
      });
      socket.once('connect', () => {
        opened = true;
        const inner = socketTransport(socket);
        subscriber.next({
          incoming: new Observable<Uint8Array>((sub) =>
            inner.incoming.subscribe({
              next: (chunk) => {
                inParser.parse(Buffer.from(chunk)); // a copy: the decoder may keep partial packets
                sub.next(chunk);
              },
              error: (e) => sub.error(e),
              complete: () => sub.complete(),
            }),
          ),
          send: (bytes) => {
            outParser.parse(Buffer.from(bytes)); // a copy: the client may reuse its buffer
            inner.send(bytes);
          },
          close: () => inner.close(),
        });
        subscriber.complete();
      });
      return () => {
        if (!opened) socket.destroy();
      };
    });

  const byCmd = (dir: 'in' | 'out', cmd: WirePacket['cmd']): WirePacket[] =>
    log.filter((p) => p.dir === dir && p.packet.cmd === cmd).map((p) => p.packet);

  return {
    factory,
    log,
    packets$: seen.asObservable(),
    next: (predicate, ms = 10000) => firstValueFrom(seen.pipe(filter(predicate), take(1), timeout(ms))),
    sent: (cmd) => byCmd('out', cmd),
    received: (cmd) => byCmd('in', cmd),
    kill: () => {
      for (const socket of sockets) socket.resetAndDestroy();
      sockets = [];
    },
  };
}
