/**
 * Test harness: runs spec/helpers/shared-consumer-child.cjs (a consumer process on the compiled
 * library in a `$share` group) and lets a test read the lines it reports, await one, or kill it.
 */
import { startReportingChild } from './child-client.js';

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
  const child = startReportingChild('shared-consumer-child.cjs', config, config.clientId);
  return { ...child, messages: () => child.lines.filter((l) => l.startsWith('M ')).map((l) => l.slice(2)) };
}
