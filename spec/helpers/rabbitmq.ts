/**
 * Test harness: starts a private RabbitMQ node with only the `rabbitmq_mqtt` plugin (management off)
 * on free loopback ports: its own node name, AMQP, distribution and epmd ports, and its data, logs,
 * config and Erlang cookie in a temporary folder. A system RabbitMQ on the standard ports is never
 * touched. With CI=true a missing installation fails the suite; elsewhere the suite is skipped with
 * a loud message.
 *
 * Debian's `/usr/sbin/rabbitmq-server` switches to the `rabbitmq` user when started as root, which
 * cannot write a private temporary folder; the harness runs the script behind it
 * (`/usr/lib/rabbitmq/bin/rabbitmq-server`, in the foreground) as the current user instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './mosquitto.js';
import { describeWithTool } from './describe-with-tool.js';

const SCRIPT_DIRS = ['/usr/lib/rabbitmq/bin', '/usr/local/lib/rabbitmq/bin'];

export interface RabbitMqInstance {
  readonly host: string;
  /** The MQTT listener's port. */
  readonly port: number;
  /** mqtt://host:port of the MQTT listener. */
  readonly url: string;
  readonly nodeName: string;
  readonly dir: string;
  /** Stops the node (SIGTERM, then SIGKILL after 15 s), its private epmd, and removes its folder. */
  dispose(): Promise<void>;
  /** What the node printed (for diagnosing failures). */
  log(): string;
}

/** The folder holding rabbitmq-server, rabbitmqctl..., or undefined when RabbitMQ is not installed. */
export function rabbitMqScripts(): string | undefined {
  return SCRIPT_DIRS.find((dir) => existsSync(join(dir, 'rabbitmq-server')));
}

/** The installed RabbitMQ's version (`3.10.8`), from its package, or undefined. */
export function rabbitMqVersion(): string | undefined {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'rabbitmq-server'], { encoding: 'utf8' });
  return r.status === 0 ? /^(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] : undefined;
}

/**
 * `describe` for suites that need RabbitMQ. With CI=true a missing installation fails (the suite runs
 * and its start-up throws); elsewhere it is skipped with a warning saying why.
 */
export function describeWithRabbitMq(name: string, fn: () => void): void {
  describeWithTool({ what: 'RabbitMQ', installed: rabbitMqScripts() !== undefined, install: 'apt-get install rabbitmq-server' }, name, fn);
}

/** Starts a private RabbitMQ node with MQTT (5-15 s). Throws when it is missing or does not come up. */
export async function startRabbitMq(): Promise<RabbitMqInstance> {
  const scripts = rabbitMqScripts();
  if (scripts === undefined) throw new Error('RabbitMQ not found: install it (apt-get install rabbitmq-server)');
  const dir = mkdtempSync(join(tmpdir(), 'rxmqtt-rabbit-'));
  const host = '127.0.0.1';
  const [port, amqpPort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const nodeName = `rxmqtt-test-${port}@localhost`;
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [`listeners.tcp.default = ${host}:${amqpPort}`, `mqtt.listeners.tcp.default = ${host}:${port}`, 'mqtt.allow_anonymous = true', ''].join('\n'),
  );
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_mqtt].\n');
  const env = {
    ...process.env,
    HOME: dir, // the Erlang cookie
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: host,
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  let output = '';
  const proc: ChildProcess = spawn(join(scripts, 'rabbitmq-server'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`rabbitmq-server exited with code ${code} during start-up:\n${output.slice(-4000)}`))),
  );
  exited.catch(() => undefined);
  const dispose = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    }
    // The node's own beam process, should the script have left it behind, then its private epmd.
    const pidFile = join(dir, 'rabbitmq.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      const ours = (): boolean => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(nodeName);
        } catch {
          return false;
        }
      };
      if (Number.isInteger(pid) && pid > 0 && ours()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    spawnSync('epmd', ['-port', String(epmdPort), '-kill'], { env, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort(port, host, 60_000), exited]);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { host, port, url: `mqtt://${host}:${port}`, nodeName, dir, dispose, log: () => output };
}
