import { firstValueFrom } from 'rxjs';
import type { BrokerLimits } from '../broker/broker-options.js';
import { originPatternProblem } from '../broker/origin-policy.js';
import { InvalidArgumentError, StoreError } from '../errors.js';
import { readFile } from 'node:fs/promises';
import { aclHooks, parseAclFile } from '../broker/acl-file.js';
import { parsePasswordFile, passwordFileAuthenticator } from '../broker/password-file.js';
import type { CliBrokerOptions, CliDeps } from './cli-deps.js';
import type { CliIo } from './cli-io.js';
import { describeListenFailure } from './describe-listen-failure.js';
import { formatBrokerEvent } from './format-broker-event.js';
import { formatHelp, type HelpText } from './format-help.js';
import { type OptionSpec, parseArgs, wantsHelp } from './parse-args.js';
import { ExitCode, reportFailure } from './report-failure.js';

/** `rxmqtt broker` flags that set one broker limit each: flag, limit, range, meaning. */
/** The broker limits that are numbers (each has a flag). */
type NumericLimit = { [K in keyof BrokerLimits]-?: NonNullable<BrokerLimits[K]> extends number ? K : never }[keyof BrokerLimits];

const LIMIT_FLAGS: readonly (readonly [string, NumericLimit, number, number, string])[] = [
  ['max-queued', 'maxQueuedMessages', 0, 2 ** 31, 'QoS 1/2 messages queued per session beyond the in-flight window (default 1000)'],
  ['max-inflight', 'maxInflight', 1, 65535, 'outbound QoS 1/2 messages awaiting acknowledgement per client (default 256)'],
  ['max-packet-size', 'maxPacketSize', 64, 268435460, 'largest packet accepted from a client, in bytes (default 1048576)'],
  ['receive-maximum', 'receiveMaximum', 1, 65535, 'unreleased inbound QoS 2 messages per MQTT 5 client (default 65535)'],
  ['topic-alias-maximum', 'topicAliasMaximum', 0, 65535, 'topic aliases an MQTT 5 client may use (default 64)'],
  ['max-sessions', 'maxSessions', 1, 2 ** 31, 'sessions held, online and offline (default 10000)'],
  ['max-connections', 'maxConnections', 1, 2 ** 31, 'open connections (default 10000)'],
  ['max-subscriptions', 'maxSubscriptionsPerClient', 1, 2 ** 31, 'subscriptions per session (default 1000)'],
  ['max-topic-levels', 'maxTopicLevels', 1, 65536, 'levels of a topic or filter (default 128)'],
  ['session-expiry-311', 'sessionExpiry311', 0, 0xffffffff, 'seconds a 3.1.1 persistent session outlives its connection (default 86400)'],
  ['outbound-budget', 'outboundBudget', 0, 2 ** 31, 'bytes buffered for a client that reads too slowly before its QoS 0 messages are dropped (default 1048576)'],
  ['max-keepalive', 'maxKeepAlive', 1, 65535, 'longest keep alive a client may use, in seconds: a 5.0 client asking for more (or 0) is told this value, a 3.1.1 one is refused (default: no ceiling)'],
  ['slow-client-timeout', 'slowClientTimeout', 1, 2 ** 31, 'milliseconds a client may stay over its outbound budget before it is disconnected (default 30000)'],
];

/** The options of `rxmqtt broker`. */
export const BROKER_OPTIONS: readonly OptionSpec[] = [
  { long: 'port', short: 'p', kind: 'integer', min: 0, max: 65535, valueName: 'PORT', description: 'MQTT/TCP port (default 1883; 0 picks a free port)' },
  { long: 'host', short: 'h', kind: 'string', valueName: 'HOST', description: 'interface to listen on (default 127.0.0.1; 0.0.0.0 for all)' },
  { long: 'ws-port', kind: 'integer', min: 0, max: 65535, valueName: 'PORT', description: "also accept MQTT over WebSocket on this port (0 picks a free port; needs the 'ws' package)" },
  {
    long: 'ws-allowed-origin',
    kind: 'string',
    repeatable: true,
    valueName: 'ORIGIN',
    description: 'a web page Origin that may use the WebSocket listener, e.g. https://app.example.com, or * for any (repeatable; default: pages from localhost, 127.0.0.1 and [::1] on any port)',
  },
  ...LIMIT_FLAGS.map(([long, , min, max, description]): OptionSpec => ({ long, kind: 'integer', min, max, valueName: 'N', description })),
  { long: 'sys-interval', kind: 'integer', min: 0, max: 86400, valueName: 'SECONDS', description: 'seconds between updates of the $SYS/broker/... statistics topics (default 10; 0 turns them off)' },
  {
    long: 'persistence',
    kind: 'string',
    valueName: 'DIR',
    description: 'keep persistent sessions, their subscriptions and queued/in-flight QoS 1/2 messages, and retained messages in DIR across restarts (created when missing)',
  },
  {
    long: 'persistence-fsync',
    kind: 'string',
    valueName: 'WHEN',
    description: "with --persistence: 'never' (default; survives the broker being killed), 'always' (fsync before each acknowledgement; survives a power failure), or milliseconds between fsyncs",
  },
  { long: 'password-file', kind: 'string', valueName: 'FILE', description: 'users and password hashes as mosquitto_passwd writes them; clients must log in (see --allow-anonymous)' },
  { long: 'allow-anonymous', kind: 'flag', description: 'with --password-file, also let in clients that give no user name' },
  { long: 'acl-file', kind: 'string', valueName: 'FILE', description: 'topic access rules in the Mosquitto ACL file format (topic, pattern, user lines)' },
  { long: 'verbose', short: 'v', kind: 'flag', description: 'log connections, subscriptions and messages on stderr' },
  { long: 'help', kind: 'flag', description: 'show this help' },
];

/** The `rxmqtt broker --help` text. */
export const BROKER_HELP: HelpText = {
  usage: ['rxmqtt broker [--port PORT] [--host HOST] [--ws-port PORT [--ws-allowed-origin ORIGIN]...] [--max-queued N] [--max-inflight N] [...limits] [--persistence DIR [--persistence-fsync WHEN]] [--password-file FILE [--allow-anonymous]] [--acl-file FILE] [--verbose]'],
  summary:
    'Runs the embedded MQTT 3.1.1 and 5.0 broker until Ctrl-C (SIGINT) or SIGTERM, then closes every ' +
    'connection and exits. Prints the URL of each listener on stdout, one per line.',
  options: BROKER_OPTIONS,
  examples: [
    ['rxmqtt broker', 'listen on mqtt://127.0.0.1:1883'],
    ['rxmqtt broker --port 0 --ws-port 0 --verbose', 'free ports, TCP and WebSocket, with a log of what happens'],
    ['rxmqtt broker --ws-port 8080 --ws-allowed-origin https://app.example.com', 'let one web app (and programs) use the WebSocket listener'],
    ['rxmqtt broker --max-queued 100000 --max-inflight 1024', 'let a slow subscriber hold more unacknowledged QoS 1/2 messages'],
    ['rxmqtt broker --persistence ./mqtt-data', 'sessions, queued messages and retained messages survive a restart'],
  ],
  notes: ['Exit status: 0 stopped by a signal, 1 could not start (e.g. port in use), 2 bad arguments.'],
};

/**
 * `rxmqtt broker`: starts the embedded broker, prints `listening on <url>` lines on stdout, and
 * runs until SIGINT or SIGTERM; then closes gracefully and resolves with exit code 0. With
 * `--verbose` every broker event is logged on stderr.
 *
 * @example
 * ```ts
 * process.exitCode = await brokerCommand(['--port', '0'], processIo(), deps);
 * ```
 */
export async function brokerCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(formatHelp(BROKER_HELP));
    return ExitCode.ok;
  }
  let port: number;
  let host: string;
  let wsPort: number | undefined;
  let verbose: boolean;
  let allowedOrigins: readonly string[] | undefined;
  let sysInterval = 10;
  let persistence: CliBrokerOptions['persistence'];
  let access: Pick<CliBrokerOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> = {};
  const limits: { -readonly [K in NumericLimit]?: number } = {};
  try {
    const args = parseArgs(argv, BROKER_OPTIONS);
    port = args.integer('port') ?? 1883;
    host = args.string('host') ?? '127.0.0.1';
    wsPort = args.integer('ws-port');
    verbose = args.flag('verbose');
    for (const [flag, limit] of LIMIT_FLAGS) {
      const value = args.integer(flag);
      if (value !== undefined) limits[limit] = value;
    }
    const origins = args.strings('ws-allowed-origin');
    allowedOrigins = origins.length > 0 ? origins : undefined;
    for (const origin of origins) {
      const problem = originPatternProblem(origin);
      if (problem !== undefined) throw new InvalidArgumentError('--ws-allowed-origin', `${problem}, got ${JSON.stringify(origin)}`);
    }
    if (allowedOrigins !== undefined && wsPort === undefined) throw new InvalidArgumentError('--ws-allowed-origin', 'needs --ws-port');
    if (args.flag('allow-anonymous') && args.string('password-file') === undefined) {
      throw new InvalidArgumentError('--allow-anonymous', 'goes with --password-file (without one, every client is let in)');
    }
    sysInterval = args.integer('sys-interval') ?? 10;
    persistence = persistenceOption(args.string('persistence'), args.string('persistence-fsync'));
    access = await accessControl(args.string('password-file'), args.string('acl-file'), args.flag('allow-anonymous'));
  } catch (error) {
    return reportFailure(io.stderr, 'broker', error);
  }
  // Listen for signals before the broker exists, so an early Ctrl-C still closes it.
  const signal = firstValueFrom(io.signals);
  let broker: Awaited<ReturnType<CliDeps['startBroker']>>;
  try {
    broker = await deps.startBroker({
      port,
      host,
      ...(wsPort === undefined ? {} : { websocket: { port: wsPort, ...(allowedOrigins === undefined ? {} : { allowedOrigins }) } }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
      ...access,
      sysInterval,
      ...(persistence === undefined ? {} : { persistence }),
    });
  } catch (error) {
    // A damaged log names the file and the byte; it is not a listening problem.
    if (error instanceof StoreError) return reportFailure(io.stderr, 'broker', error, 'cannot use the persistence directory');
    return reportFailure(io.stderr, 'broker', describeListenFailure(error, { host, port, wsPort }));
  }
  const log = verbose ? broker.events$.subscribe((event) => io.stderr.write(`${formatBrokerEvent(event)}\n`)) : undefined;
  io.stdout.write(`listening on ${broker.url}\n`);
  if (broker.wsUrl !== undefined) io.stdout.write(`listening on ${broker.wsUrl}\n`);

  const received = await signal;
  io.stderr.write(`rxmqtt broker: ${received}, closing\n`);
  try {
    await broker.close();
  } catch (error) {
    return reportFailure(io.stderr, 'broker', error, 'close failed');
  } finally {
    log?.unsubscribe();
  }
  return ExitCode.ok;
}

/** `--persistence DIR [--persistence-fsync WHEN]` as broker options. */
function persistenceOption(dir: string | undefined, fsync: string | undefined): CliBrokerOptions['persistence'] {
  if (dir === undefined) {
    if (fsync !== undefined) throw new InvalidArgumentError('--persistence-fsync', 'goes with --persistence');
    return undefined;
  }
  if (dir === '') throw new InvalidArgumentError('--persistence', 'needs a directory');
  if (fsync === undefined) return { dir };
  if (fsync === 'always' || fsync === 'never') return { dir, fsync };
  if (!/^[1-9][0-9]{0,9}$/.test(fsync) || Number(fsync) > 2 ** 31 - 1) {
    throw new InvalidArgumentError('--persistence-fsync', `must be always, never or a number of milliseconds, got ${JSON.stringify(fsync)}`);
  }
  return { dir, fsync: Number(fsync) };
}

/** Reads the password and ACL files into broker hooks; a file that cannot be read or parsed says which and why. */
async function accessControl(
  passwordFile: string | undefined,
  aclFile: string | undefined,
  allowAnonymous: boolean,
): Promise<Pick<CliBrokerOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>> {
  const read = async (flag: string, path: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8');
    } catch (cause) {
      throw new InvalidArgumentError(flag, `cannot read ${path}: ${(cause as Error).message}`, { cause });
    }
  };
  const out: { -readonly [K in keyof Pick<CliBrokerOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>]: CliBrokerOptions[K] } = {};
  if (passwordFile !== undefined) out.authenticate = passwordFileAuthenticator(parsePasswordFile(await read('--password-file', passwordFile), passwordFile), { allowAnonymous });
  if (aclFile !== undefined) Object.assign(out, aclHooks(parseAclFile(await read('--acl-file', aclFile), aclFile)));
  return out;
}
