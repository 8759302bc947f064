/**
 * A scripted MQTT server for flow tests: the other end of an in-memory transport that decodes what
 * the client sends, lets the test await each packet in order, and sends packets the test writes.
 */
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet, PacketOfType, PacketType, ProtocolVersion } from '../../lib/codec/packet.js';
import { memoryTransportFactory, type MemoryTransport } from '../../lib/transport/memory-transport.js';
import type { TransportFactory } from '../../lib/transport/transport.js';

export class ScriptedPeer {
  /** Every packet received so far, in order. */
  readonly log: Packet[] = [];
  private readonly decoder = new PacketDecoder();
  private readonly queue: Packet[] = [];
  private waiter: { resolve: (p: Packet) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  /** Resolves when the client closed the connection. */
  readonly closed: Promise<void>;

  constructor(private readonly transport: MemoryTransport) {
    let onClosed!: () => void;
    this.closed = new Promise((resolve) => (onClosed = resolve));
    transport.incoming.subscribe({
      next: (chunk) => this.decoder.write(chunk, (packet) => this.push(packet)),
      error: () => this.end(onClosed),
      complete: () => this.end(onClosed),
    });
  }

  get protocolVersion(): ProtocolVersion {
    return this.decoder.protocolVersion ?? 4;
  }

  /** The next packet the client sent (in order); rejects after `ms` or when the connection ends first. */
  next(ms = 2000): Promise<Packet> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(new Error('the connection ended'));
    return new Promise<Packet>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no packet from the client within ${ms} ms`));
      }, ms);
      this.waiter = {
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** The next packet, which must be of `type` (the test fails otherwise). */
  async expect<T extends PacketType>(type: T, ms?: number): Promise<PacketOfType<T>> {
    const packet = await this.next(ms);
    if (packet.type !== type) throw new Error(`expected ${type.toUpperCase()}, received ${JSON.stringify(packet)}`);
    return packet as PacketOfType<T>;
  }

  /** Packets received but not yet taken with next()/expect(). */
  get pending(): readonly Packet[] {
    return this.queue;
  }

  send(packet: Packet): void {
    this.transport.send(encode(packet, { protocolVersion: this.protocolVersion }));
  }

  sendBytes(bytes: Uint8Array): void {
    this.transport.send(bytes);
  }

  close(): void {
    this.transport.close();
  }

  fail(): void {
    this.transport.fail(new Error('network down'));
  }

  private push(packet: Packet): void {
    this.log.push(packet);
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve(packet);
    } else {
      this.queue.push(packet);
    }
  }

  private end(onClosed: () => void): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new Error('the connection ended'));
    onClosed();
  }
}

/** A transport factory for the client and a promise of the scripted peer behind its first connection. */
export function scriptedServer(): { transport: TransportFactory; peer: Promise<ScriptedPeer> } {
  let resolvePeer!: (peer: ScriptedPeer) => void;
  const peer = new Promise<ScriptedPeer>((resolve) => (resolvePeer = resolve));
  const transport = memoryTransportFactory((server) => resolvePeer(new ScriptedPeer(server)));
  return { transport, peer };
}
