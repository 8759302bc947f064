/**
 * Test harness: starts a private NATS server (JetStream on, with its MQTT listener) on free
 * loopback ports with a generated config in a temporary folder, and stops it. With CI=true a
 * missing `nats-server` binary fails the suite; elsewhere the suite is skipped with a loud message.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './mosquitto.js';
import { describeWithTool } from './describe-with-tool.js';

export interface NatsInstance {
  readonly host: string;
  /** The MQTT listener's port. */
  readonly port: number;
  /** mqtt://host:port of the MQTT listener. */
  readonly url: string;
  /** The NATS protocol port (unused by the tests; a private one all the same). */
  readonly natsPort: number;
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
  dispose(): Promise<void>;
  /** What the server printed (for diagnosing failures). */
  log(): string;
}

/** The path of the nats-server binary, or undefined when it is not installed. */
export function natsBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).error === undefined) return candidate;
  }
  const path = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  return path === '' ? undefined : path;
}

/** The installed server's version (`2.9.10`), or undefined. */
export function natsVersion(): string | undefined {
  const binary = natsBinary();
  if (binary === undefined) return undefined;
  return /v?(\d+\.\d+\.\d+)/.exec(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout)?.[1];
}

/**
 * `describe` for suites that need NATS. With CI=true a missing binary fails (the suite runs and its
 * start-up throws); elsewhere it is skipped with a warning saying why.
 */
export function describeWithNats(name: string, fn: () => void): void {
  describeWithTool({ what: 'the nats-server binary', installed: natsBinary() !== undefined, install: 'apt-get install nats-server' }, name, fn);
}

/** Starts a private NATS server with JetStream and MQTT. Throws when the binary is missing or it does not come up. */
export async function startNats(): Promise<NatsInstance> {
  const binary = natsBinary();
  if (binary === undefined) throw new Error('nats-server binary not found: install it (apt-get install nats-server)');
  const dir = mkdtempSync(join(tmpdir(), 'rxmqtt-nats-'));
  const host = '127.0.0.1';
  const natsPort = await freePort();
  const port = await freePort();
  const configFile = join(dir, 'nats.conf');
  // MQTT needs JetStream (sessions, retained messages and QoS 1 live in streams) and a server_name.
  writeFileSync(
    configFile,
    [
      `listen: "${host}:${natsPort}"`,
      `server_name: "rxmqtt_test_${port}"`,
      `jetstream { store_dir: "${join(dir, 'js')}" }`,
      // ack_wait: how long NATS waits for a PUBACK before it sends a QoS 1 message again, also to a
      // resumed session whose earlier connection died with it in flight (default 30 s; 2 s here).
      `mqtt { listen: "${host}:${port}", ack_wait: "2s" }`,
      '',
    ].join('\n'),
  );
  let output = '';
  const proc: ChildProcess = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`nats-server exited with code ${code} during start-up:\n${output}`))),
  );
  exited.catch(() => undefined);
  const dispose = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort(port, host, 20000), exited]);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { host, port, url: `mqtt://${host}:${port}`, natsPort, dir, dispose, log: () => output };
}
