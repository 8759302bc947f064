/**
 * Test helpers for the hostile-load suites: raw-socket clients that stop reading, flood, or connect
 * and leave, each counting what the broker answered.
 */
import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { PacketDecoder } from '../../lib/codec/decoder';
import { encode } from '../../lib/codec/encode';
import type { Packet } from '../../lib/codec/packet';
import { subscribeBytes } from './hostile';
import { uniqueId } from './mqttjs';

async function open(port: number): Promise<Socket> {
  const socket = tcpConnect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Counts the packets a socket receives, by type, and wakes waiters. */
class Tally {
  readonly counts = new Map<string, number>();
  private waiters: (() => void)[] = [];
  constructor(socket: Socket, version: 4 | 5, onPacket: (p: Packet) => void = () => undefined) {
    const decoder = new PacketDecoder({ protocolVersion: version });
    socket.on('data', (chunk: Buffer) => {
      decoder.write(chunk, (p) => {
        this.counts.set(p.type, (this.counts.get(p.type) ?? 0) + 1);
        onPacket(p);
      });
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
    socket.once('close', () => this.waiters.forEach((w) => w()));
  }
  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }
  until(done: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify([...this.counts])}`)), ms);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

/** A 3.1.1 subscriber of `topic` that stops reading its socket once SUBACK is in. */
export async function deafSubscriber(port: number, topic: string, qos: 0 | 1, clientId = uniqueId('deaf')): Promise<Socket> {
  const socket = await open(port);
  const tally = new Tally(socket, 4);
  socket.write(encode({ type: 'connect', protocolVersion: 4, clientId, cleanStart: true, keepAlive: 0 }, { protocolVersion: 4 }));
  socket.write(Uint8Array.from(subscribeBytes(4, 1, [[topic, qos]])));
  await tally.until(() => tally.count('suback') > 0, 5000, 'SUBACK');
  socket.pause();
  return socket;
}

export interface Flood {
  /** PUBLISH packets written to the socket (handed to the kernel or buffered by Node). */
  readonly sent: number;
  readonly acked: number;
  /** Resolves once every PUBLISH written has been acknowledged. */
  allAcked(ms: number): Promise<void>;
  destroy(): void;
}

/**
 * A publisher that writes QoS 1 PUBLISH packets of `size` bytes to `topic` as fast as its socket
 * takes them (waiting for 'drain' when Node's buffer is full) for `ms`, or `max` messages.
 */
export async function flood(port: number, version: 4 | 5, topic: string, opts: { readonly ms: number; readonly max: number; readonly size: number }): Promise<Flood> {
  const socket = await open(port);
  const tally = new Tally(socket, version);
  socket.write(encode({ type: 'connect', protocolVersion: version, clientId: uniqueId('flood'), cleanStart: true, keepAlive: 0 }, { protocolVersion: version }));
  await tally.until(() => tally.count('connack') > 0, 5000, 'CONNACK');
  const payload = new Uint8Array(opts.size);
  const end = Date.now() + opts.ms;
  let sent = 0;
  while (sent < opts.max && Date.now() < end) {
    const frame = encode({ type: 'publish', topic, payload, qos: 1, packetId: (sent % 65535) + 1, retain: false, dup: false }, { protocolVersion: version });
    sent++;
    if (!socket.write(frame)) {
      const left = end - Date.now();
      if (left <= 0) break;
      await Promise.race([once(socket, 'drain'), new Promise((resolve) => setTimeout(resolve, left))]);
    }
  }
  return {
    sent,
    get acked() {
      return tally.count('puback');
    },
    allAcked: (ms) => tally.until(() => tally.count('puback') >= sent, ms, `${sent} PUBACKs`),
    destroy: () => socket.destroy(),
  };
}

/** A 3.1.1 client that sends CONNECT, waits for CONNACK, and closes; resolves with the return code. */
export async function connectAndLeave(port: number, clientId: string, cleanSession: boolean): Promise<number> {
  const socket = await open(port);
  let code = -1;
  const tally = new Tally(socket, 4, (p) => {
    if (p.type === 'connack') code = p.reasonCode;
  });
  socket.write(encode({ type: 'connect', protocolVersion: 4, clientId, cleanStart: cleanSession, keepAlive: 0 }, { protocolVersion: 4 }));
  await tally.until(() => tally.count('connack') > 0, 10_000, 'CONNACK');
  socket.destroy();
  return code;
}

/** A 3.1.1 publisher, connected, ready to send `count` QoS 1 messages on `topic` at once. */
export async function burstPublisher(port: number, topic: string, count: number): Promise<{ fire(): Promise<number> }> {
  const socket = await open(port);
  const tally = new Tally(socket, 4);
  const clientId = uniqueId('burst');
  socket.write(encode({ type: 'connect', protocolVersion: 4, clientId, cleanStart: true, keepAlive: 0 }, { protocolVersion: 4 }));
  await tally.until(() => tally.count('connack') > 0, 10_000, 'CONNACK');
  const frames = Array.from({ length: count }, (_, i) =>
    encode({ type: 'publish', topic, payload: Buffer.from(`${clientId}:${i}`), qos: 1, packetId: i + 1, retain: false, dup: false }, { protocolVersion: 4 }),
  );
  return {
    fire: async () => {
      socket.write(Buffer.concat(frames));
      await tally.until(() => tally.count('puback') >= count, 30_000, `${count} PUBACKs`);
      socket.destroy();
      return tally.count('puback');
    },
  };
}
