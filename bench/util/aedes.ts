/**
 * Starts Aedes (the usual Node broker to compare with) on a free loopback port, for the broker
 * benchmarks.
 *
 * @example
 * ```ts
 * const { port, close } = await startAedes();
 * ```
 */
import { createServer } from 'node:net';

export async function startAedes(): Promise<{ readonly port: number; close(): Promise<void> }> {
  // aedes is an ES module; a real dynamic import keeps it out of the CommonJS require path.
  const load = new Function('s', 'return import(s)') as (s: string) => Promise<typeof import('aedes')>;
  const { Aedes } = await load('aedes');
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve()))),
  };
}
