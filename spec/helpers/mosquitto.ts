/**
 * Test harness: starts private Mosquitto instances on free loopback ports with generated configs,
 * and stops them. With CI=true a missing `mosquitto` binary fails the suite; elsewhere the suite
 * is skipped with a loud message.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTool } from './describe-with-tool.js';

export interface MosquittoOptions {
  /** Add a websockets listener (Mosquitto needs the TCP listener beside it). */
  readonly websockets?: boolean;
  /** Add a TLS listener with these PEM files (paths). */
  readonly tls?: { readonly cafile: string; readonly certfile: string; readonly keyfile: string; readonly requireCertificate?: boolean };
  /** username -> password; turns anonymous access off. */
  readonly users?: Readonly<Record<string, string>>;
  /** Keep sessions and messages on disk across restarts. */
  readonly persistence?: boolean;
  /** Extra lines for the top of the config. */
  readonly extraConfig?: readonly string[];
  /**
   * Keep Mosquitto's default queue and in-flight limits (`max_inflight_messages 20`,
   * `max_queued_messages 1000`) instead of the unlimited ones the other suites use.
   */
  readonly defaultLimits?: boolean;
  /**
   * Bridge this broker to another one (a stand-in for a cluster): every topic both ways at QoS 2,
   * with Mosquitto's loop prevention (`try_private`).
   */
  readonly bridgeTo?: { readonly host: string; readonly port: number };
}

export interface MosquittoInstance {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly wsPort?: number;
  readonly wsUrl?: string;
  readonly tlsPort?: number;
  readonly tlsUrl?: string;
  /** The folder holding the config, password file and persistence data. */
  readonly dir: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 3 s) and waits for the process to exit. */
  stop(): Promise<void>;
  /** Stops and starts again on the same ports with the same config (and persisted data). */
  restart(): Promise<void>;
  /** Stops and removes the temporary folder. */
  dispose(): Promise<void>;
  /** What the broker printed (for diagnosing failures). */
  log(): string;
  /** The process id of the running broker (benchmarks read its memory from /proc). */
  readonly pid: number | undefined;
}

/** The path of the mosquitto binary, or undefined when it is not installed. */
export function mosquittoBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto']) {
    const r = spawnSync(candidate, ['-h'], { stdio: 'ignore' });
    if (r.error === undefined) return candidate;
  }
  const r = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return path === '' ? undefined : path;
}

/** The installed Mosquitto's version (`2.0.11`), or undefined when it is not installed. */
export function mosquittoVersion(): string | undefined {
  const binary = mosquittoBinary();
  if (binary === undefined) return undefined;
  const r = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  return /mosquitto version (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1];
}

/**
 * `describe` for suites that need Mosquitto. With CI=true a missing binary fails (the suite runs and
 * its start-up throws); elsewhere it is skipped with a warning saying why.
 */
export function describeWithMosquitto(name: string, fn: () => void): void {
  describeWithTool({ what: 'the mosquitto binary', installed: mosquittoBinary() !== undefined, install: 'apt-get install mosquitto' }, name, fn);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts a private Mosquitto. Throws when the binary is missing or the broker does not come up. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoInstance> {
  const binary = mosquittoBinary();
  if (binary === undefined) throw new Error('mosquitto binary not found: install it (apt-get install mosquitto)');
  const dir = mkdtempSync(join(tmpdir(), 'rxmqtt-mosq-'));
  const host = '127.0.0.1';
  const port = await freePort();
  const wsPort = options.websockets ? await freePort() : undefined;
  const tlsPort = options.tls ? await freePort() : undefined;

  const limits = options.defaultLimits ? [] : ['max_queued_messages 1000000', 'max_inflight_messages 0'];
  const lines: string[] = ['user root', 'per_listener_settings false', ...limits, 'set_tcp_nodelay true', 'log_dest stdout', 'log_type error', 'log_type warning', 'log_type notice', ...(options.extraConfig ?? [])];
  if (options.persistence) lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 1');
  if (options.users) {
    const passwordFile = join(dir, 'passwd');
    writeFileSync(passwordFile, '');
    for (const [user, password] of Object.entries(options.users)) {
      const r = spawnSync('mosquitto_passwd', ['-b', passwordFile, user, password], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    }
    lines.push('allow_anonymous false', `password_file ${passwordFile}`);
  } else {
    lines.push('allow_anonymous true');
  }
  lines.push(`listener ${port} ${host}`);
  if (wsPort !== undefined) lines.push(`listener ${wsPort} ${host}`, 'protocol websockets');
  if (tlsPort !== undefined && options.tls) {
    lines.push(`listener ${tlsPort} ${host}`, `cafile ${options.tls.cafile}`, `certfile ${options.tls.certfile}`, `keyfile ${options.tls.keyfile}`);
    if (options.tls.requireCertificate) lines.push('require_certificate true');
  }
  if (options.bridgeTo !== undefined) {
    // Bridge sections come last: every line after `connection` belongs to the bridge.
    lines.push(
      'connection cluster-bridge',
      `address ${options.bridgeTo.host}:${options.bridgeTo.port}`,
      'topic # both 2',
      'try_private true',
      'cleansession true',
      'restart_timeout 1',
    );
  }
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, lines.join('\n') + '\n');

  let child: ChildProcess | undefined;
  let output = '';
  const launch = async (): Promise<void> => {
    const proc = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`mosquitto exited with code ${code} during start-up:\n${output}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([
      (async () => {
        await waitForPort(port, host);
        if (wsPort !== undefined) await waitForPort(wsPort, host);
        if (tlsPort !== undefined) await waitForPort(tlsPort, host);
      })(),
      exited,
    ]);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  };
  await launch();
  return {
    host,
    port,
    url: `mqtt://${host}:${port}`,
    wsPort,
    wsUrl: wsPort === undefined ? undefined : `ws://${host}:${wsPort}`,
    tlsPort,
    tlsUrl: tlsPort === undefined ? undefined : `mqtts://${host}:${tlsPort}`,
    dir,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
    get pid() {
      return child?.pid;
    },
  };
}
