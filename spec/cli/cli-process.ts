/**
 * Test helper: runs the built `rxmqtt` executable (dist/cjs/cli/main.js) as a child process. Every
 * child is bounded by a timeout, killed by its own pid, and tracked so `killAll()` can end any that
 * a failed test left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built command; `npm test` and `npm run build` create it. */
export const CLI = join(__dirname, '..', '..', 'dist', 'cjs', 'cli', 'main.js');

/** Fails early and clearly when the build is missing. */
export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does it)`);
}

const running = new Set<ChildProcess>();

/** Kills every child still running (call in afterEach/afterAll). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running child with its output so far. */
export interface CliChild {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (or stderr with `from: 'stderr'`). */
  waitFor(pattern: RegExp, from?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** Resolves when the child exits; it is killed with SIGKILL when `timeoutMs` (default 15 s) passes first. */
  readonly exited: Promise<Finished>;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** Written to stdin, which is then closed. */
  readonly input?: string | Buffer;
  /** Leave stdin open for the test to write to (otherwise it is closed at once). */
  readonly keepStdinOpen?: boolean;
  /** Kill the child with SIGKILL after this long (default 15 s). */
  readonly timeoutMs?: number;
  /** The program and its first arguments (default: node and the built CLI). */
  readonly command?: readonly string[];
}

/** Starts the CLI (or `options.command`) with `args`. */
export function start(args: readonly string[], options: StartOptions = {}): CliChild {
  const [file, ...pre] = options.command ?? [process.execPath, CLI];
  const child = spawn(file!, [...pre, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const poke = (): void => waiters.slice().forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), poke()));
  child.stderr!.on('data', (d: Buffer) => ((err += d.toString()), poke()));
  if (options.input !== undefined) child.stdin!.end(options.input);
  else if (options.keepStdinOpen !== true) child.stdin!.end();
  const timeoutMs = options.timeoutMs ?? 15000;
  const exited = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`'rxmqtt ${args.join(' ')}' still running after ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout: out, stderr: err });
      poke();
    });
  });
  exited.catch(() => undefined);
  const waitFor = (pattern: RegExp, from: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = (from === 'stdout' ? out : err).match(pattern);
        if (match !== null) {
          waiters.splice(waiters.indexOf(check), 1);
          resolve(match);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`exited without printing ${pattern} on ${from}\nstdout: ${out}\nstderr: ${err}`));
        }
      };
      waiters.push(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Runs the CLI to completion and resolves with its exit status and output. */
export function run(args: readonly string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<Finished> {
  return start(args, options).exited;
}

/** Starts `rxmqtt broker --port 0` and resolves with its URL and port once it listens. */
export async function startBrokerProcess(extra: readonly string[] = []): Promise<{ broker: CliChild; url: string; port: number }> {
  const broker = start(['broker', '--port', '0', ...extra], { timeoutMs: 60000 });
  const match = await broker.waitFor(/listening on (mqtt:\/\/127\.0\.0\.1:(\d+))\n/);
  return { broker, url: match[1]!, port: Number(match[2]) };
}

/** A topic no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `rxmqtt-cli-test/${prefix}/${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
