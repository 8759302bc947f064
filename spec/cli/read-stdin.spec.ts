import { PassThrough } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import { lines, readAll } from '../../lib/cli/read-stdin';

describe('readAll', () => {
  it('resolves with every byte of the stream', async () => {
    const stream = new PassThrough();
    const all = readAll(stream);
    stream.write(Uint8Array.of(1, 2));
    stream.end(Uint8Array.of(0, 255));
    expect(Array.from(await all)).toEqual([1, 2, 0, 255]);
  });
});

describe('lines', () => {
  it('splits on \\n and \\r\\n across chunk boundaries, skips blank lines, keeps a last unterminated line', async () => {
    const stream = new PassThrough();
    const result = lastValueFrom(lines(stream).pipe(toArray()));
    stream.write('one\r');
    stream.write('\ntw');
    stream.write('o\n\n\nthr');
    stream.end('ee');
    expect(await result).toEqual(['one', 'two', 'three']);
  });

  it('does not split a multi-byte character cut between chunks', async () => {
    const stream = new PassThrough();
    const result = lastValueFrom(lines(stream).pipe(toArray()));
    const bytes = new TextEncoder().encode('é\n');
    stream.write(bytes.subarray(0, 1));
    stream.end(bytes.subarray(1));
    expect(await result).toEqual(['é']);
  });

  it('errors when the stream fails', async () => {
    const stream = new PassThrough();
    const result = lastValueFrom(lines(stream));
    stream.destroy(new Error('read failed'));
    await expect(result).rejects.toThrow('read failed');
  });
});
