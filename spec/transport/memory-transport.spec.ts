import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { InvalidArgumentError, TransportError } from '../../lib/errors.js';
import { memoryTransportFactory, memoryTransportPair, type MemoryTransport } from '../../lib/transport/memory-transport.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('memoryTransportPair', () => {
  it('delivers chunks to the other end in order, asynchronously, as copies', async () => {
    const [a, b] = memoryTransportPair();
    const received = lastValueFrom(b.incoming.pipe(toArray()));
    const first = bytes(1, 2, 3);
    let deliveredSynchronously = false;
    const probe = b.incoming.subscribe(() => (deliveredSynchronously = true));
    a.send(first);
    expect(deliveredSynchronously).toBe(false);
    probe.unsubscribe();
    first[0] = 99; // the sender may reuse its buffer
    a.send(bytes(4));
    a.send(bytes(5, 6));
    a.close();
    expect((await received).map((chunk) => Array.from(chunk))).toEqual([[1, 2, 3], [4], [5, 6]]);
  });

  it('works in both directions', async () => {
    const [a, b] = memoryTransportPair();
    const atA = firstValueFrom(a.incoming);
    const atB = firstValueFrom(b.incoming);
    a.send(bytes(0x10));
    b.send(bytes(0x20));
    expect(Array.from(await atB)).toEqual([0x10]);
    expect(Array.from(await atA)).toEqual([0x20]);
  });

  it('close on one end completes both incoming streams after the bytes in flight', async () => {
    const [a, b] = memoryTransportPair();
    const atA = lastValueFrom(a.incoming.pipe(toArray()));
    const atB = lastValueFrom(b.incoming.pipe(toArray()));
    a.send(bytes(1));
    b.send(bytes(2));
    b.close();
    expect(a.closed).toBe(true);
    a.send(bytes(3)); // ignored after close
    b.send(bytes(4)); // ignored after close
    expect((await atB).map((c) => Array.from(c))).toEqual([[1]]);
    expect((await atA).map((c) => Array.from(c))).toEqual([[2]]);
  });

  it('a subscriber arriving after close sees completion', async () => {
    const [a, b] = memoryTransportPair();
    a.close();
    await lastValueFrom(a.incoming.pipe(toArray())); // let the completion run
    await expect(lastValueFrom(b.incoming.pipe(toArray()))).resolves.toEqual([]);
  });

  it('fail() errors both ends with a TransportError carrying the cause', async () => {
    const [a, b] = memoryTransportPair();
    const atA = lastValueFrom(a.incoming);
    const atB = lastValueFrom(b.incoming);
    const cause = new Error('cable cut');
    b.fail(cause);
    for (const result of [atA, atB]) {
      const error = await result.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).message).toContain('cable cut');
      expect((error as TransportError).cause).toBe(cause);
    }
  });

  it('unsubscribing from incoming stops delivery to that subscriber only', async () => {
    const [a, b] = memoryTransportPair();
    const seen: number[] = [];
    const subscription = b.incoming.subscribe((chunk) => seen.push(chunk[0]!));
    const all = lastValueFrom(b.incoming.pipe(toArray()));
    a.send(bytes(1));
    await firstValueFrom(b.incoming);
    subscription.unsubscribe();
    a.send(bytes(2));
    a.close();
    expect((await all).map((c) => c[0])).toEqual([1, 2]);
    expect(seen).toEqual([1]);
  });

  it('uses the given scheduler: one task delivers what was sent before it, in order', () => {
    const tasks: Array<() => void> = [];
    const [a, b] = memoryTransportPair({ scheduler: (task) => tasks.push(task) });
    const seen: number[] = [];
    let completed = false;
    b.incoming.subscribe({ next: (c) => seen.push(c[0]!), complete: () => (completed = true) });
    a.send(bytes(7));
    a.send(bytes(8));
    expect(seen).toEqual([]);
    expect(tasks).toHaveLength(1);
    tasks.shift()!();
    expect(seen).toEqual([7, 8]);
    a.send(bytes(9));
    a.close();
    expect(tasks).toHaveLength(1);
    expect(completed).toBe(false);
    tasks.shift()!();
    expect(seen).toEqual([7, 8, 9]);
    expect(completed).toBe(true);
  });

  it('delivers synchronously with a synchronous scheduler, and what subscribers send in reply in order', () => {
    const [a, b] = memoryTransportPair({ scheduler: (task) => task() });
    const log: string[] = [];
    b.incoming.subscribe((c) => {
      log.push(`b got ${c[0]}`);
      if (c[0] === 1) b.send(bytes(10));
    });
    a.incoming.subscribe((c) => log.push(`a got ${c[0]}`));
    a.send(bytes(1));
    a.send(bytes(2));
    expect(log).toEqual(['b got 1', 'a got 10', 'b got 2']);
  });

  it('accepts any Uint8Array, a Node Buffer included', async () => {
    const [a, b] = memoryTransportPair();
    const received = firstValueFrom(b.incoming);
    a.send(Buffer.from([9, 8]));
    expect(Array.from(await received)).toEqual([9, 8]);
  });

  it('rejects what a user can get wrong', () => {
    expect(() => memoryTransportPair({ scheduler: 42 as never })).toThrow(InvalidArgumentError);
    const [a] = memoryTransportPair();
    expect(() => a.send('hello' as never)).toThrow(/bytes: expected a Uint8Array/);
  });
});

describe('memoryTransportFactory', () => {
  it('is cold: each subscription opens a new pair and hands the server end over', async () => {
    const servers: MemoryTransport[] = [];
    const factory = memoryTransportFactory((server) => servers.push(server));
    expect(servers).toHaveLength(0);
    const client = await firstValueFrom(factory());
    expect(servers).toHaveLength(1);
    const atServer = firstValueFrom(servers[0]!.incoming);
    client.send(bytes(0xc0, 0x00));
    expect(Array.from(await atServer)).toEqual([0xc0, 0x00]);
    await firstValueFrom(factory());
    expect(servers).toHaveLength(2);
  });

  it('emits once and completes', async () => {
    const factory = memoryTransportFactory(() => undefined);
    await expect(lastValueFrom(factory().pipe(toArray()))).resolves.toHaveLength(1);
  });

  it('unsubscribing before open abandons the attempt', async () => {
    const onServerSide = jest.fn();
    const factory = memoryTransportFactory(onServerSide);
    const emitted = jest.fn();
    factory().subscribe(emitted).unsubscribe();
    await firstValueFrom(factory()); // a later open proves the scheduled work has run
    expect(emitted).not.toHaveBeenCalled();
    expect(onServerSide).toHaveBeenCalledTimes(1);
  });

  it('errors with a TransportError when the server side throws', async () => {
    const cause = new Error('not accepting');
    const factory = memoryTransportFactory(() => {
      throw cause;
    });
    const error = await firstValueFrom(factory()).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toContain('not accepting');
    expect((error as TransportError).cause).toBe(cause);
  });

  it('rejects a missing handler', () => {
    expect(() => memoryTransportFactory(undefined as never)).toThrow(/onServerSide: expected a function/);
  });
});
