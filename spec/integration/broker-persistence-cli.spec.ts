/**
 * `rxmqtt broker --persistence DIR` as a process: the flags' checks, a damaged log that stops the
 * broker from starting with a message naming the file, and a graceful stop (SIGTERM) whose retained
 * message is there after the next start. Runs the compiled CLI (dist/cjs; `npm test` builds it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { connectAsync } from '../../lib/node/connect.js';
import { killAll, requireBuild, run, start } from '../cli/cli-process.js';
import { uniqueTopic, within } from '../helpers/client-utils.js';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => requireBuild());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxmqtt-broker-persist-cli-'));
});
afterEach(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('rxmqtt broker --persistence', () => {
  it.each([
    [['--persistence-fsync', 'always'], /--persistence-fsync: goes with --persistence/],
    [['--persistence', '.', '--persistence-fsync', 'sometimes'], /--persistence-fsync: must be always, never or a number of milliseconds, got "sometimes"/],
    [['--persistence', '.', '--persistence-fsync', '0'], /--persistence-fsync: must be always, never or a number/],
  ])('refuses %j with exit status 2', async (args, message) => {
    const done = await run(['broker', '--port', '0', ...args]);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(message);
  });

  it('says in --help what the flags do', async () => {
    const done = await run(['broker', '--help']);
    expect(done.stdout).toMatch(/--persistence DIR/);
    expect(done.stdout).toMatch(/--persistence-fsync WHEN/);
  });

  it('a log that is not a broker log stops the start with status 1 and names the file', async () => {
    writeFileSync(join(dir, 'broker.log'), 'something else entirely');
    const done = await run(['broker', '--port', '0', '--persistence', dir]);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain('cannot use the persistence directory');
    expect(done.stderr).toContain(join(dir, 'broker.log'));
    expect(done.stderr).toMatch(/not an rxmqtt broker persistence log file/);
  });

  it('keeps a retained message across a graceful stop (SIGTERM) and a new start with fsync always', async () => {
    const topic = uniqueTopic('persist/cli');
    const args = ['broker', '--port', '0', '--persistence', dir, '--persistence-fsync', 'always', '--sys-interval', '0'];
    const first = start(args, { timeoutMs: 50_000 });
    const url1 = (await first.waitFor(/listening on (mqtt:\S+)\n/))[1]!;
    const publisher = await connectAsync(url1);
    await publisher.publishAsync(topic, 'kept', { qos: 1, retain: true });
    await publisher.disconnect();
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = start(args, { timeoutMs: 50_000 });
    const url2 = (await second.waitFor(/listening on (mqtt:\S+)\n/))[1]!;
    const reader = await connectAsync(url2);
    try {
      const message = await within(firstValueFrom(reader.subscribe(topic, { qos: 1 })), 5000, 'the retained message');
      expect([message.text(), message.retain]).toEqual(['kept', true]);
    } finally {
      await reader.disconnect();
    }
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
