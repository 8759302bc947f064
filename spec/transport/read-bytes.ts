/**
 * Test helper: reads from a transport's hot `incoming` until a condition holds. Subscribe (call
 * these) before sending the bytes that provoke the answer.
 */
import { firstValueFrom, lastValueFrom, scan, filter, map, takeWhile, toArray, timeout } from 'rxjs';
import type { Transport } from '../../lib/transport/transport.js';

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Resolves with the first `count` bytes received (joined across chunks); rejects after `ms`. */
export function readBytes(transport: Transport, count: number, ms = 5000): Promise<Uint8Array> {
  return firstValueFrom(
    transport.incoming.pipe(
      scan((acc: Uint8Array[], chunk) => [...acc, chunk], []),
      map(concat),
      filter((all) => all.length >= count),
      map((all) => all.subarray(0, count)),
      timeout(ms),
    ),
  );
}

/** Resolves with every chunk received until `incoming` completes; rejects after `ms`. */
export function readAllChunks(transport: Transport, ms = 5000): Promise<Uint8Array[]> {
  return lastValueFrom(transport.incoming.pipe(toArray(), timeout(ms)));
}

/** Resolves with the chunks received until `done(allBytesSoFar)` holds (the last chunk included). */
export function readChunksUntil(transport: Transport, done: (all: Uint8Array) => boolean, ms = 5000): Promise<Uint8Array[]> {
  let all: Uint8Array = new Uint8Array(0);
  return lastValueFrom(
    transport.incoming.pipe(
      takeWhile((chunk) => {
        all = concat([all, chunk]);
        return !done(all);
      }, true),
      toArray(),
      timeout(ms),
    ),
  );
}

export { concat };
