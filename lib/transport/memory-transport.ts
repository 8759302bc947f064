import { Observable, Subject } from 'rxjs';
import { InvalidArgumentError, TransportError } from '../errors.js';
import type { Transport, TransportFactory } from './transport.js';

/** Runs a task later; deliveries are handed to it one by one, in order. */
export type MemoryTransportScheduler = (task: () => void) => void;

/** Options of {@link memoryTransportPair} and {@link memoryTransportFactory}. */
export interface MemoryTransportOptions {
  /**
   * When deliveries (bytes, completion, errors) run. Default `queueMicrotask`. Each task delivers
   * everything sent since the previous task, in order. Pass e.g. `(task) => setTimeout(task, 0)` to
   * let timers interleave, or a synchronous `(task) => task()` to deliver during `send`.
   */
  readonly scheduler?: MemoryTransportScheduler;
}

/**
 * One end of an in-memory connection made by {@link memoryTransportPair}: a {@link Transport} that
 * can also simulate a network failure.
 */
export interface MemoryTransport extends Transport {
  /** True once either end closed or failed; `send` is then a no-op. */
  readonly closed: boolean;
  /**
   * Simulates a broken connection: both ends' `incoming` error with a `TransportError`
   * (`cause` = the given cause) after the bytes already in flight have been delivered.
   */
  fail(cause?: unknown): void;
  /** Stops delivering to this end's `incoming`: chunks (and the end of the connection) wait, in order, until {@link resume}. */
  pause(): void;
  /** Delivers what waited (in a task of the scheduler), then goes on as before. */
  resume(): void;
}

/**
 * Two connected in-memory transports, for tests (the library's and your own). Bytes sent on one end
 * arrive on the other end's `incoming`, asynchronously (in a microtask by default, see
 * {@link MemoryTransportOptions.scheduler}) and in order. Each sent chunk is copied, so the sender
 * may reuse its buffer, and arrives as one chunk.
 *
 * `incoming` is hot like every transport's: subscribe before the peer sends. `close()` on either
 * end completes both ends' `incoming` once the bytes already in flight have been delivered; later
 * sends are ignored. `fail()` simulates a network failure.
 *
 * @example
 * ```ts
 * const [client, server] = memoryTransportPair();
 * server.incoming.subscribe((bytes) => console.log('server got', bytes));
 * client.send(Uint8Array.of(0xc0, 0x00)); // PINGREQ, delivered in a microtask
 * client.close(); // both incoming streams complete
 * ```
 */
export function memoryTransportPair(options: MemoryTransportOptions = {}): [MemoryTransport, MemoryTransport] {
  const schedule = options.scheduler ?? queueMicrotask;
  if (typeof schedule !== 'function') {
    throw new InvalidArgumentError('scheduler', `expected a function (task) => void, got ${typeof schedule}`);
  }
  const inboxes = [new Subject<Uint8Array>(), new Subject<Uint8Array>()] as const;
  let closed = false;
  // One queue for both directions and the end of the connection, drained by one scheduled task per
  // burst rather than one per chunk; `targets[i]` is the receiving end, or -1 for the end.
  const targets: number[] = [];
  const chunks: Array<Uint8Array | undefined> = [];
  let ending: TransportError | undefined;
  let drainScheduled = false;
  // Per end: paused, what waits for it, and whether the end of the connection waits behind it.
  const paused = [false, false];
  const backlog: Uint8Array[][] = [[], []];
  const endWaits = [false, false];
  const finish = (i: 0 | 1): void => {
    if (ending === undefined) inboxes[i].complete();
    else inboxes[i].error(ending);
  };
  const deliver = (i: 0 | 1, chunk: Uint8Array): void => {
    if (paused[i] || backlog[i]!.length > 0) backlog[i]!.push(chunk);
    else inboxes[i].next(chunk);
  };
  const drain = (): void => {
    // Chunks enqueued by subscribers during the drain are delivered in this same pass, in order
    // (drainScheduled stays true meanwhile, so a synchronous scheduler does not re-enter).
    try {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i]!;
        if (target === -1) {
          for (const end of [0, 1] as const) {
            if (paused[end] || backlog[end]!.length > 0) endWaits[end] = true;
            else finish(end);
          }
        } else {
          deliver(target as 0 | 1, chunks[i]!);
        }
      }
    } finally {
      targets.length = 0;
      chunks.length = 0;
      drainScheduled = false;
    }
  };
  const enqueue = (target: number, chunk: Uint8Array | undefined): void => {
    targets.push(target);
    chunks.push(chunk);
    if (!drainScheduled) {
      drainScheduled = true;
      schedule(drain);
    }
  };

  const shutdown = (error: TransportError | undefined): void => {
    if (closed) return;
    closed = true;
    ending = error;
    // Queued after every chunk already in flight, so those arrive first.
    enqueue(-1, undefined);
  };

  const end = (self: 0 | 1): MemoryTransport => {
    const peer = self === 0 ? 1 : 0;
    const incoming = inboxes[self].asObservable();
    return {
      incoming,
      get closed() {
        return closed;
      },
      send(bytes: Uint8Array): void {
        // Tag check rather than instanceof: a Node Buffer or a Uint8Array from another realm is fine too.
        if (Object.prototype.toString.call(bytes) !== '[object Uint8Array]') {
          throw new InvalidArgumentError('bytes', `expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
        }
        if (closed) return;
        enqueue(peer, bytes.slice());
      },
      close(): void {
        shutdown(undefined);
      },
      fail(cause?: unknown): void {
        const reason = describeCause(cause);
        shutdown(new TransportError(`in-memory connection failed${reason}`, { cause }));
      },
      pause(): void {
        paused[self] = true;
      },
      resume(): void {
        if (!paused[self]) return;
        paused[self] = false;
        schedule(() => {
          const waiting = backlog[self]!;
          while (waiting.length > 0 && !paused[self]) inboxes[self].next(waiting.shift()!);
          if (waiting.length === 0 && endWaits[self]) {
            endWaits[self] = false;
            finish(self);
          }
        });
      },
    };
  };
  return [end(0), end(1)];
}

/**
 * A cold {@link TransportFactory} over in-memory pairs, usable as a client's `transport` option.
 * Each subscription makes a new {@link memoryTransportPair}; when it "opens" (on the scheduler, so
 * asynchronously like a real connection) it hands the server end to `onServerSide` (e.g. the
 * embedded broker's accept function, or a scripted peer in a test), then emits the client end and
 * completes. Unsubscribing before it has emitted abandons the attempt: `onServerSide` is not called.
 * If `onServerSide` throws, the subscription errors with a `TransportError` whose `cause` is the
 * thrown value.
 *
 * @example
 * ```ts
 * const factory = memoryTransportFactory((server) => broker.accept(server));
 * factory().subscribe((transport) => transport.send(connectBytes));
 * ```
 */
export function memoryTransportFactory(
  onServerSide: (serverTransport: MemoryTransport) => void,
  options: MemoryTransportOptions = {},
): TransportFactory {
  if (typeof onServerSide !== 'function') {
    throw new InvalidArgumentError('onServerSide', `expected a function (serverTransport) => void, got ${typeof onServerSide}`);
  }
  const schedule = options.scheduler ?? queueMicrotask;
  if (typeof schedule !== 'function') {
    throw new InvalidArgumentError('scheduler', `expected a function (task) => void, got ${typeof schedule}`);
  }
  return () =>
    new Observable<Transport>((subscriber) => {
      let abandoned = false;
      schedule(() => {
        if (abandoned) return;
        const [client, server] = memoryTransportPair({ scheduler: schedule });
        try {
          onServerSide(server);
        } catch (cause) {
          client.close();
          const reason = describeCause(cause);
          subscriber.error(new TransportError(`in-memory connection refused by the server side${reason}`, { cause }));
          return;
        }
        subscriber.next(client);
        subscriber.complete();
      });
      return () => {
        abandoned = true;
      };
    });
}

function describeCause(cause: unknown): string {
  if (typeof cause === 'object' && cause !== null && 'message' in cause) return `: ${String(cause.message)}`;
  return cause === undefined ? '' : `: ${String(cause)}`;
}
