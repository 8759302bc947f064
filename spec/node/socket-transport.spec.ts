import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { connect } from 'node:net';
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
