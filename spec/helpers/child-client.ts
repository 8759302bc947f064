/**
 * Test harness: runs spec/helpers/in-flight-child.cjs (a client process on the compiled library with
 * a FileInFlightStore) and lets a test await the lines it reports, its exit, or kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface ChildConfig {
  readonly url: string;
  readonly clientId: string;
  readonly store: string;
  readonly topic: string;
  readonly mode: 'publish' | 'resume' | 'subscribe';
  readonly count?: number;
  readonly killAt?: number;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildClient {
  /** Every line reported so far. */
  readonly lines: readonly string[];
  /** Resolves with the first reported line (past or future) that satisfies `test`. */
  waitFor(test: (line: string) => boolean, ms?: number): Promise<string>;
  readonly exited: Promise<ChildExit>;
  kill(signal?: NodeJS.Signals): void;
  stderr(): string;
}

/** The compiled library the child loads (built by `npm test`; RXMQTT_DIST overrides it). */
export const distFolder = process.env.RXMQTT_DIST ?? join(__dirname, '..', '..', 'dist', 'cjs');

/** Throws a clear error when the compiled library is missing. */
export function assertDistBuilt(): void {
  if (!existsSync(join(distFolder, 'node', 'file-in-flight-store.js'))) {
    throw new Error(`${distFolder} has no compiled FileInFlightStore: run \`npm run build\` (npm test builds first)`);
  }
}

/** Starts the child client process with `config`. */
export function startChildClient(config: ChildConfig): ChildClient {
  return startReportingChild('in-flight-child.cjs', config, 'child');
}

/**
 * Runs `script` (a .cjs file beside this one, on the compiled library) with `config` as its JSON
 * argument, and collects the lines it prints: a test awaits one, its exit, or kills it. `label`
 * names the child in timeout errors.
 */
export function startReportingChild(script: string, config: object, label: string): ChildClient {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, script), JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RXMQTT_DIST: distFolder },
  });
  const lines: string[] = [];
  const waiters = new Set<{ test: (line: string) => boolean; resolve: (line: string) => void }>();
  let partial = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.test(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const exited = new Promise<ChildExit>((resolve) => child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })));
  return {
    lines,
    waitFor(test, ms = 20_000) {
      const found = lines.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${label}: no matching line within ${ms} ms; stderr: ${errors}`));
        }, ms);
        const waiter = {
          test,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.add(waiter);
        void exited.then((exit) => {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`${label} exited (${exit.code ?? exit.signal}) before the awaited line; stderr: ${errors}`));
        });
      });
    },
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stderr: () => errors,
  };
}
