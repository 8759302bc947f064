import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { connect, type Socket } from 'node:net';
import { TransportError } from '../../lib/errors.js';
import { describeSocketError, openSocketTransport, socketTransport } from '../../lib/node/socket-transport.js';
import { useAcceptingServer } from '../helpers/accepting-server.js';

describe('describeSocketError', () => {
  it('puts the code in front of the message when the message lacks it', () => {
    const error = Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(describeSocketError(error)).toBe(
      'TLS certificate problem: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate',
    );
  });

  it('keeps a message that already names its code', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeSocketError(error)).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });

  it('lists the attempts of an AggregateError (several addresses tried)', () => {
    const error = Object.assign(
      new AggregateError([new Error('connect ECONNREFUSED ::1:1'), new Error('connect ECONNREFUSED 127.0.0.1:1')], ''),
      { code: 'ECONNREFUSED' },
    );
    expect(describeSocketError(error)).toBe('connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1');
  });

  it('describes things that are not errors', () => {
    expect(describeSocketError('boom')).toBe('boom');
  });
});

describe('socketTransport and openSocketTransport', () => {
  const local = useAcceptingServer();

  const open = () =>
    openSocketTransport({ label: 'test connection', create: () => connect({ host: '127.0.0.1', port: local.port }), readyEvent: 'connect', connectTimeout: 5000 });

  it('batches sends of one tick into one write and completes incoming on the peer end', async () => {
    const serverSide = local.nextConnection();
    const transport = await firstValueFrom(open());
    const peer = await serverSide;
    const chunks: number[][] = [];
    const peerEnded = new Promise<void>((resolve) => {
      peer.on('data', (d: Buffer) => chunks.push(Array.from(d)));
      peer.on('end', () => resolve());
    });
    transport.send(Uint8Array.of(1));
    transport.send(Uint8Array.of(2, 3));
    transport.close();
    await peerEnded;
    expect(chunks.flat()).toEqual([1, 2, 3]);
  });

  it('completes incoming when the peer ends and delivers what it sent first', async () => {
    const serverSide = local.nextConnection();
    const transport = await firstValueFrom(open());
    const all = lastValueFrom(transport.incoming.pipe(toArray()));
    (await serverSide).end(Uint8Array.of(0xd0, 0x00));
    expect(Buffer.concat(await all)).toEqual(Buffer.from([0xd0, 0x00]));
  });

  it('errors with a TransportError when create() throws', async () => {
    const failing = openSocketTransport({
      label: 'test connection',
      create: () => {
        throw new Error('no sockets today');
      },
      readyEvent: 'connect',
      connectTimeout: 5000,
    });
    await expect(firstValueFrom(failing)).rejects.toThrow(TransportError);
    await expect(firstValueFrom(failing)).rejects.toThrow('test connection could not be started: no sockets today');
  });

  it('errors when the peer closes before the TLS handshake', async () => {
    const serverSide = local.nextConnection();
    const opening = firstValueFrom(
      openSocketTransport({ label: 'test connection', create: () => connect({ host: '127.0.0.1', port: local.port }), readyEvent: 'secureConnect', connectTimeout: 5000 }),
    );
    (await serverSide).destroy();
    await expect(opening).rejects.toThrow('test connection was closed by the peer before it was established');
  });

  it('wraps an accepted socket too', async () => {
    const serverSide = local.nextConnection();
    const client = connect({ host: '127.0.0.1', port: local.port });
    const transport = socketTransport(await serverSide);
    const first = firstValueFrom(transport.incoming);
    client.write(Uint8Array.of(0xc0, 0x00));
    expect(Array.from(await first)).toEqual([0xc0, 0x00]);
    client.destroy();
  });
});

describe('socketTransport write path', () => {
  const local = useAcceptingServer();

  /** A connected client socket wrapped as a transport, the accepted peer, and the client socket's writes. */
  async function pair(): Promise<{ transport: ReturnType<typeof socketTransport>; socket: Socket; peer: Socket; writes: () => number; calls: () => number; received: () => Promise<Buffer> }> {
    const serverSide = local.nextConnection();
    const socket = connect({ host: '127.0.0.1', port: local.port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const peer = await serverSide;
    const chunks: Buffer[] = [];
    const ended = new Promise<Buffer>((resolve) => {
      peer.on('data', (d: Buffer) => chunks.push(d));
      peer.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const transport = socketTransport(socket);
    const write$ = jest.spyOn(socket, 'write');
    // What reaches the kernel: one _write or _writev call per socket write operation.
    let operations = 0;
    const internals = socket as unknown as { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
    const write = internals._write.bind(socket);
    const writev = internals._writev.bind(socket);
    internals._write = (...args) => {
      operations++;
      write(...args);
    };
    internals._writev = (...args) => {
      operations++;
      writev(...args);
    };
    return { transport, socket, peer, writes: () => operations, calls: () => write$.mock.calls.length, received: () => ended };
  }

  const packet = (i: number, size: number) => new Uint8Array(size).fill(i & 0xff);

  it('sends the packets of one tick in one socket write, with the same bytes in order', async () => {
    const { transport, writes, calls, received } = await pair();
    const sent = Array.from({ length: 100 }, (_, i) => packet(i, 75));
    for (const bytes of sent) expect(transport.send(bytes)).toBe(true); // 7 500 B: under the high-water mark
    expect(writes()).toBe(0); // nothing yet: the tick is not over
    await Promise.resolve();
    expect(calls()).toBe(1); // one buffer handed to the socket, not 100 stream writes
    expect(writes()).toBe(1);
    transport.close();
    expect(Array.from(await received())).toEqual(sent.flatMap((b) => Array.from(b)));
  });

  it('keeps the order when a large packet comes between small ones, still in one write', async () => {
    const { transport, writes, received } = await pair();
    const sent = [packet(1, 10), packet(2, 5000), packet(3, 10), packet(4, 70_000), packet(5, 3)];
    for (const bytes of sent) transport.send(bytes);
    await Promise.resolve();
    expect(writes()).toBe(1);
    transport.close();
    expect(Array.from(await received())).toEqual(sent.flatMap((b) => Array.from(b)));
  });

  it('keeps every byte when one tick sends more than a gather buffer holds', async () => {
    const { transport, received } = await pair();
    const sent = Array.from({ length: 1500 }, (_, i) => packet(i, 100 + (i % 7)));
    for (const bytes of sent) transport.send(bytes);
    transport.close(); // in the same tick: what was sent goes before the FIN
    expect(Array.from(await received())).toEqual(sent.flatMap((b) => Array.from(b)));
  });

  it('answers false once the bytes of the tick reach the high-water mark, and writable$ emits after', async () => {
    const { transport, socket, received } = await pair();
    const highWaterMark = socket.writableHighWaterMark;
    const answers = Array.from({ length: 300 }, (_, i) => transport.send(packet(i, 75)));
    const firstFalse = Math.ceil(highWaterMark / 75) - 1; // the send that brings the total to the mark
    expect(answers.indexOf(false)).toBe(firstFalse);
    expect(answers.slice(firstFalse).every((a) => a === false)).toBe(true);
    // The peer reads at once and the kernel takes all 22 500 B in one go: 'drain' must still come.
    await firstValueFrom(transport.writable$!);
    expect(transport.send(packet(0, 75))).toBe(true);
    transport.close();
    expect((await received()).length).toBe(301 * 75);
  });

  it('writes nothing after close, and close with nothing pending just ends', async () => {
    const { transport, received } = await pair();
    transport.close();
    expect(transport.send(packet(1, 10))).toBe(true);
    expect((await received()).length).toBe(0);
  });
});
