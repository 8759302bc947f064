/**
 * Test helper: runs Mosquitto's own command-line clients (`mosquitto_pub`, `mosquitto_sub`) as an
 * independent peer of the client under test. Every child is bounded by a timeout and killed by its
 * own pid when the timeout passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A message as `mosquitto_sub` printed it. */
export interface SubMessage {
  readonly topic: string;
  readonly qos: number;
  readonly retain: boolean;
  readonly payload: Buffer;
}

export interface SubOptions {
  readonly host: string;
  readonly port: number;
  readonly topic: string;
  readonly qos?: 0 | 1 | 2;
  /** Exit after this many messages. */
  readonly count: number;
  readonly protocolVersion?: 4 | 5;
  /** Kill the process after this many ms (default 15000). */
  readonly timeoutMs?: number;
}

export interface RunningSub {
  /** Resolves once the broker has answered the SUBSCRIBE (SUBACK seen in the debug output). */
  readonly subscribed: Promise<void>;
  /** Resolves with the messages when `count` arrived and the process exited with status 0 (its output read to the end). */
  readonly messages: Promise<SubMessage[]>;
  /** Kills the process (for cleanup after a failed test). */
  stop(): void;
}

const version = (v: 4 | 5 | undefined): string => (v === 5 ? 'mqttv5' : 'mqttv311');

function bounded(child: ChildProcess, timeoutMs: number, what: string, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish within ${timeoutMs} ms; output:\n${output()}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': 'exit' can come before the child's stdout was read to its end, and the
    // last message line would then be missing from what the caller parses.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${what} exited with ${code ?? signal}; output:\n${output()}`));
    });
  });
}

/**
 * Starts `mosquitto_sub` and collects `count` messages.
 *
 * @example
 * ```ts
 * const sub = mosquittoSub({ host, port, topic: 't/#', qos: 1, count: 3 });
 * await sub.subscribed;
 * // ... publish ...
 * const messages = await sub.messages;
 * ```
 */
export function mosquittoSub(options: SubOptions): RunningSub {
  const timeoutMs = options.timeoutMs ?? 15000;
  const args = ['-h', options.host, '-p', String(options.port), '-t', options.topic, '-q', String(options.qos ?? 0)];
  args.push('-C', String(options.count), '-V', version(options.protocolVersion), '-d', '-F', 'MSG\t%t\t%q\t%r\t%x');
  // stdbuf: mosquitto_sub block-buffers a piped stdout; line buffering lets us see SUBACK at once.
  const child = spawn('stdbuf', ['-oL', 'mosquitto_sub', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onSubscribed: () => void = () => undefined;
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('received SUBACK')) onSubscribed();
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = bounded(child, timeoutMs, 'mosquitto_sub', () => stdout + stderr);
  // Settles at SUBACK; if the process ends first (error or not), it fails instead of hanging.
  const subscribed = new Promise<void>((resolve, reject) => {
    onSubscribed = resolve;
    exited.then(
      () => reject(new Error(`mosquitto_sub exited before SUBACK:\n${stdout}${stderr}`)),
      (error: unknown) => reject(error),
    );
  });
  subscribed.catch(() => undefined);
  const messages = exited.then(() =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('MSG\t'))
      .map((line) => {
        const [, topic, qos, retain, hex] = line.split('\t');
        return { topic: topic ?? '', qos: Number(qos), retain: retain === '1', payload: Buffer.from(hex ?? '', 'hex') };
      }),
  );
  messages.catch(() => undefined);
  return { subscribed, messages, stop: () => void child.kill('SIGKILL') };
}

export interface PubOptions {
  readonly host: string;
  readonly port: number;
  readonly topic: string;
  /** A string, or a Buffer sent byte for byte (through stdin). An empty payload is allowed. */
  readonly payload: string | Buffer;
  readonly qos?: 0 | 1 | 2;
  readonly retain?: boolean;
  readonly protocolVersion?: 4 | 5;
  /** MQTT 5 properties as `mosquitto_pub -D` triples, e.g. `['publish', 'user-property', 'a b']`. */
  readonly properties?: readonly (readonly string[])[];
  readonly timeoutMs?: number;
}

/**
 * Runs `mosquitto_pub` once; resolves when it exited with status 0 (after the QoS flow completed).
 *
 * @example
 * ```ts
 * await mosquittoPub({ host, port, topic: 'a/b', payload: 'hello', qos: 2 });
 * ```
 */
export function mosquittoPub(options: PubOptions): Promise<void> {
  const args = ['-h', options.host, '-p', String(options.port), '-t', options.topic, '-q', String(options.qos ?? 0)];
  args.push('-V', version(options.protocolVersion));
  if (options.retain) args.push('-r');
  for (const triple of options.properties ?? []) args.push('-D', ...triple);
  const binary = typeof options.payload !== 'string';
  if (binary) args.push('-s');
  else if (options.payload === '') args.push('-n');
  else args.push('-m', options.payload);
  const child = spawn('mosquitto_pub', args, { stdio: [binary ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  if (binary) child.stdin?.end(options.payload);
  return bounded(child, options.timeoutMs ?? 15000, 'mosquitto_pub', () => output);
}
