/**
 * Test helper: a raw TCP peer for exact-byte broker tests. It records every byte the broker sends,
 * decodes them with the project's codec on demand, and reports when the broker closes.
 */
import { connect, type Socket } from 'node:net';
import { encode } from '../../lib/codec/encode';
import { PacketDecoder } from '../../lib/codec/decoder';
import type { Packet } from '../../lib/codec/packet';

export class RawClient {
  readonly closed: Promise<void>;
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private isClosed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Every byte received so far. */
  get bytes(): Buffer {
    return this.received;
  }

  write(bytes: Uint8Array | readonly number[]): void {
    this.socket.write(Uint8Array.from(bytes));
  }

  send(packet: Packet, protocolVersion: 4 | 5): void {
    this.socket.write(encode(packet, { protocolVersion }));
  }

  /** Resolves once the connection is closed, failing after `ms`. */
  async waitClosed(ms = 5000): Promise<Buffer> {
    await this.until(() => this.isClosed, ms, 'the broker to close the connection');
    return this.received;
  }

  /** Resolves with the packets received so far once there are at least `count`. */
  async packets(count: number, protocolVersion: 4 | 5, ms = 5000): Promise<Packet[]> {
    let out: Packet[] = [];
    await this.until(
      () => {
        out = [];
        const decoder = new PacketDecoder({ protocolVersion });
        decoder.write(this.received, (p) => out.push(p));
        return out.length >= count;
      },
      ms,
      `${count} packets`,
    );
    return out;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Closes with a TCP reset (RST) instead of a FIN, as a cut network link would look to the peer. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  private until(done: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (!done()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${this.received.toString('hex')}`)), ms);
      if (check()) return;
      const waiter = (): void => {
        if (!check()) this.waiters.push(waiter);
      };
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

const MQTT = [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54];

/** A hand-made 3.1.1 CONNECT: protocol name "MQTT", `level`, `flags`, keep alive, client id. */
export function connect311(options: { level?: number; flags?: number; keepAlive?: number; clientId?: string; name?: readonly number[] } = {}): number[] {
  const id = [...Buffer.from(options.clientId ?? '')];
  const keepAlive = options.keepAlive ?? 60;
  const body = [...(options.name ?? MQTT), options.level ?? 4, options.flags ?? 0x02, keepAlive >> 8, keepAlive & 0xff, id.length >> 8, id.length & 0xff, ...id];
  return [0x10, body.length, ...body];
}

/** A hand-made 5.0 CONNECT with the given property bytes (length prefix added here). */
export function connect5(options: { flags?: number; keepAlive?: number; clientId?: string; properties?: readonly number[] } = {}): number[] {
  const id = [...Buffer.from(options.clientId ?? '')];
  const keepAlive = options.keepAlive ?? 60;
  const props = options.properties ?? [];
  const body = [...MQTT, 5, options.flags ?? 0x02, keepAlive >> 8, keepAlive & 0xff, props.length, ...props, id.length >> 8, id.length & 0xff, ...id];
  return [0x10, body.length, ...body];
}
