import { PassThrough } from 'node:stream';
import { NEVER } from 'rxjs';
import type { CliDeps } from '../../lib/cli/cli-deps';
import type { CliIo } from '../../lib/cli/cli-io';
import { type CliCommand, runCli } from '../../lib/cli/run-cli';

function capture(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdin: new PassThrough(), stdout, stderr, signals: NEVER }, out: () => out, err: () => err };
}

const deps: CliDeps = {
  connectAsync: () => Promise.reject(new Error('not used')),
  startBroker: () => Promise.reject(new Error('not used')),
};

describe('runCli', () => {
  const calls: (readonly string[])[] = [];
  const commands: CliCommand[] = [
    { name: 'echo', summary: 'records its arguments', run: async (argv) => (calls.push(argv), 0) },
    { name: 'crash', summary: 'throws', run: async () => { throw new Error('bug\nwith two lines'); } },
  ];
  beforeEach(() => (calls.length = 0));

  it('runs the named command with the remaining arguments and returns its exit code', async () => {
    const { io } = capture();
    await expect(runCli(['echo', '-t', 'x'], io, deps, commands, '1.2.3')).resolves.toBe(0);
    expect(calls).toEqual([['-t', 'x']]);
  });

  it.each([['--help'], ['-h'], ['help']])('prints the top-level help for %s and exits 0', async (flag) => {
    const { io, out, err } = capture();
    await expect(runCli([flag], io, deps, commands, '1.2.3')).resolves.toBe(0);
    expect(out()).toContain('Usage: rxmqtt <command> [options]');
    expect(out()).toMatch(/echo\s+records its arguments/);
    expect(err()).toBe('');
  });

  it('passes --help to the command for "help <command>"', async () => {
    const { io } = capture();
    await runCli(['help', 'echo'], io, deps, commands, '1.2.3');
    expect(calls).toEqual([['--help']]);
  });

  it('prints the version', async () => {
    const { io, out } = capture();
    await expect(runCli(['--version'], io, deps, commands, '1.2.3')).resolves.toBe(0);
    expect(out()).toBe('1.2.3\n');
  });

  it.each([
    [[], "rxmqtt: command: missing; use one of echo, crash (see 'rxmqtt --help')\n"],
    [['nope'], "rxmqtt: nope: unknown command; use one of echo, crash (see 'rxmqtt --help')\n"],
    [['--nope'], "rxmqtt: --nope: unknown option; use one of echo, crash (see 'rxmqtt --help')\n"],
  ])('for %j prints one line on stderr, nothing on stdout, and exits 2', async (argv, message) => {
    const { io, out, err } = capture();
    await expect(runCli(argv, io, deps, commands, '1.2.3')).resolves.toBe(2);
    expect(err()).toBe(message);
    expect(out()).toBe('');
  });

  it('turns an unexpected exception into one stderr line and exit 1', async () => {
    const { io, out, err } = capture();
    await expect(runCli(['crash'], io, deps, commands, '1.2.3')).resolves.toBe(1);
    expect(err()).toBe('rxmqtt crash: unexpected error: bug with two lines\n');
    expect(out()).toBe('');
  });
});
