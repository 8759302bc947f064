/**
 * Test harness: a TCP proxy on loopback between clients and a broker that injects network faults.
 * It can cut every connection at once with a TCP reset, cut after a random number of forwarded bytes
 * (so cuts land anywhere, also inside a packet), and freeze the current connections (stop forwarding
 * and keep the sockets open: a half-open connection neither end is told about). It counts bytes.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';

export interface FaultProxyOptions {
  /** Where the broker listens. */
  readonly targetPort: number;
  readonly targetHost?: string;
  /**
   * Record every chunk each side sent, with its time and what the proxy did with it, and every cut
   * (see {@link WireRecord}); read with `proxy.trace()`. Off by default (it keeps copies of the bytes).
   */
  readonly trace?: boolean;
}

/**
 * One entry of a proxy trace. `chunk`: bytes a side sent (`from`), and how many of them the proxy
 * passed on (`forwarded`; less than `bytes.length` at a cut, 0 once the link is frozen or cut).
 * Bytes passed on may still be lost in the reset; bytes a side sent were surely sent by it.
 * `cut`: the proxy reset every open link. Times are `performance.now()` milliseconds.
 */
export type WireRecord =
  | { readonly kind: 'chunk'; readonly t: number; readonly link: number; readonly from: 'client' | 'broker'; readonly bytes: Uint8Array; readonly forwarded: number }
  | { readonly kind: 'cut'; readonly t: number; readonly links: readonly number[] }
  | { readonly kind: 'open'; readonly t: number; readonly link: number }
  | { readonly kind: 'close'; readonly t: number; readonly link: number; readonly by: 'client' | 'broker' };

/** Cuts after a random number of forwarded bytes, chosen again after each cut. */
export interface RandomCutOptions {
  readonly minBytes: number;
  readonly maxBytes: number;
  /** A number in [0, 1); default Math.random (pass a seeded one to replay a run). */
  readonly random?: () => number;
}

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  /** Bytes forwarded from clients to the broker, and from the broker to clients. */
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Connections accepted so far, and how many are open (frozen ones included). */
  readonly accepted: number;
  readonly open: number;
  /** Cuts made (by cutAll or the random cutter) that closed at least one connection. */
  readonly cuts: number;
  /** Resets (RST) every open connection on both sides. Returns how many connections were cut. */
  cutAll(): number;
  /** Starts cutting all connections each time a random number of bytes has been forwarded. */
  cutRandomly(options: RandomCutOptions): void;
  /** Stops the random cutter. */
  stopCutting(): void;
  /** Freezes the open connections: their data is dropped and their closes are not passed on. */
  freeze(): number;
  /** Stops the proxy and destroys every connection. */
  close(): Promise<void>;
  /** What was recorded with `trace: true` (empty otherwise), in time order. */
  trace(): readonly WireRecord[];
}

interface Pair {
  readonly id: number;
  readonly client: Socket;
  readonly upstream: Socket;
  frozen: boolean;
}

/** Starts a fault proxy on a free loopback port in front of `targetPort`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const host = options.targetHost ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  let bytesUp = 0;
  let bytesDown = 0;
  let accepted = 0;
  let cuts = 0;
  let cutter: (RandomCutOptions & { untilCut: number }) | undefined;
  const records: WireRecord[] = [];
  const tracing = options.trace === true;
  const record = (pair: Pair, chunk: Buffer, up: boolean, forwarded: number): void => {
    if (tracing) {
      records.push({ kind: 'chunk', t: performance.now(), link: pair.id, from: up ? 'client' : 'broker', bytes: Uint8Array.from(chunk), forwarded });
    }
  };

  const chooseNextCut = (c: RandomCutOptions): number => {
    const r = (c.random ?? Math.random)();
    return Math.floor(c.minBytes + r * (c.maxBytes - c.minBytes + 1));
  };

  const reset = (pair: Pair): void => {
    pairs.delete(pair);
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket.destroyed) {
        if (socket.readyState === 'open') socket.resetAndDestroy();
        else socket.destroy();
      }
    }
  };

  const cutAll = (): number => {
    const n = pairs.size;
    if (tracing && n > 0) records.push({ kind: 'cut', t: performance.now(), links: [...pairs].map((p) => p.id) });
    for (const pair of [...pairs]) reset(pair);
    if (n > 0) cuts++;
    return n;
  };

  /** Forwards `chunk`, cutting everything in the middle of it when the random cutter says so. */
  const forward = (pair: Pair, chunk: Buffer, to: Socket, up: boolean): void => {
    if (pair.frozen || !pairs.has(pair)) {
      record(pair, chunk, up, 0);
      return;
    }
    const data = chunk;
    if (cutter !== undefined && data.length >= cutter.untilCut) {
      const head = data.subarray(0, cutter.untilCut);
      record(pair, chunk, up, head.length);
      cutter.untilCut = chooseNextCut(cutter);
      if (head.length > 0) to.write(head);
      if (up) bytesUp += head.length;
      else bytesDown += head.length;
      // Let the head reach the socket before the reset, so the cut can fall inside a packet.
      setImmediate(cutAll);
      pair.frozen = true;
      return;
    }
    if (cutter !== undefined) cutter.untilCut -= data.length;
    if (up) bytesUp += data.length;
    else bytesDown += data.length;
    record(pair, chunk, up, data.length);
    to.write(data);
  };

  const server: Server = createServer((client) => {
    accepted++;
    client.setNoDelay(true);
    const upstream = netConnect({ port: options.targetPort, host });
    upstream.setNoDelay(true);
    const pair: Pair = { id: accepted, client, upstream, frozen: false };
    pairs.add(pair);
    if (tracing) records.push({ kind: 'open', t: performance.now(), link: pair.id });
    client.on('data', (chunk: Buffer) => forward(pair, chunk, upstream, true));
    upstream.on('data', (chunk: Buffer) => forward(pair, chunk, client, false));
    const ended = (other: Socket, by: 'client' | 'broker') => () => {
      if (tracing) records.push({ kind: 'close', t: performance.now(), link: pair.id, by });
      if (pair.frozen) return; // a frozen link passes nothing on, not even a close
      pairs.delete(pair);
      other.destroy();
    };
    client.on('close', ended(upstream, 'client'));
    upstream.on('close', ended(client, 'broker'));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const frozenPairs = new Set<Pair>();

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get bytesUp() {
      return bytesUp;
    },
    get bytesDown() {
      return bytesDown;
    },
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size + frozenPairs.size;
    },
    get cuts() {
      return cuts;
    },
    cutAll,
    trace: () => records,
    cutRandomly(c: RandomCutOptions): void {
      if (!(c.minBytes >= 1 && c.maxBytes >= c.minBytes)) throw new Error('cutRandomly: need 1 <= minBytes <= maxBytes');
      cutter = { ...c, untilCut: chooseNextCut(c) };
    },
    stopCutting(): void {
      cutter = undefined;
    },
    freeze(): number {
      const n = pairs.size;
      for (const pair of pairs) {
        pair.frozen = true;
        frozenPairs.add(pair);
      }
      pairs.clear();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutter = undefined;
        for (const pair of [...pairs, ...frozenPairs]) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        pairs.clear();
        frozenPairs.clear();
        server.close(() => resolve());
      }),
  };
}
