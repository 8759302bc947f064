/**
 * Test helper: in-process streams for running a command function, and dependencies that record
 * (and refuse) any attempt to reach the network, to prove a bad command line sends nothing.
 */
import { PassThrough } from 'node:stream';
import { NEVER } from 'rxjs';
import type { CliDeps } from '../../lib/cli/cli-deps';
import type { CliIo } from '../../lib/cli/cli-io';

export function fakeIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdin: new PassThrough(), stdout, stderr, signals: NEVER }, out: () => out, err: () => err };
}

export function refusingDeps(): { deps: CliDeps; attempts: string[] } {
  const attempts: string[] = [];
  return {
    attempts,
    deps: {
      connectAsync: (options) => (attempts.push(`connect ${options.url}`), Promise.reject(new Error('no network in this test'))),
      startBroker: (options) => (attempts.push(`broker ${options.port}`), Promise.reject(new Error('no network in this test'))),
    },
  };
}
