import { Writable } from 'node:stream';
import { CliOutput } from '../../lib/cli/cli-output';

describe('CliOutput', () => {
  it('writes until the reader goes away, then emits closed$ once and drops later writes', async () => {
    const written: string[] = [];
    let fail = false;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (fail) {
          const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
          callback(error);
          return;
        }
        written.push(chunk.toString());
        callback();
      },
    });
    const out = new CliOutput(stream);
    let closedCount = 0;
    const closed = new Promise<void>((resolve) => out.closed$.subscribe({ next: () => closedCount++, complete: resolve }));

    out.write('one\n');
    expect(out.isClosed).toBe(false);
    fail = true;
    out.write('two\n');
    await closed;
    expect(out.isClosed).toBe(true);
    out.write('three\n');
    expect(written).toEqual(['one\n']);
    expect(closedCount).toBe(1);
  });
});
