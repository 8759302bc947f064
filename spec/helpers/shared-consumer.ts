/**
 * Test harness: runs spec/helpers/shared-consumer-child.cjs (a consumer process on the compiled
 * library in a `$share` group) and lets a test read the lines it reports, await one, or kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { distFolder } from './child-client.js';

export interface SharedConsumerConfig {
  readonly url: string;
  readonly clientId: string;
  /** e.g. `$share/g/some/topic`. */
  readonly filter: string;
  /** The Receive Maximum the consumer announces: most unacknowledged messages the broker sends it. */
  readonly window: number;
}

export interface SharedConsumer {
  /** Every line reported so far (`ready <sessionPresent>`, `M <payload>`, `done`). */
  readonly lines: readonly string[];
  /** The payloads of the messages it reported, in order. */
  messages(): string[];
  /** Resolves with the first reported line (past or future) that satisfies `test`. */
  waitFor(test: (line: string) => boolean, ms?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
  stderr(): string;
}

/** Starts one consumer process with `config`. */
export function startSharedConsumer(config: SharedConsumerConfig): SharedConsumer {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'shared-consumer-child.cjs'), JSON.stringify(config)], {
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })),
  );
  return {
    lines,
    messages: () => lines.filter((l) => l.startsWith('M ')).map((l) => l.slice(2)),
    waitFor(test, ms = 20_000) {
      const found = lines.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${config.clientId}: no matching line within ${ms} ms; stderr: ${errors}`));
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
          reject(new Error(`${config.clientId} exited (${exit.code ?? exit.signal}) before the awaited line; stderr: ${errors}`));
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
