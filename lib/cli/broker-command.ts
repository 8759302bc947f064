import { firstValueFrom } from 'rxjs';
import { originPatternProblem } from '../broker/origin-policy.js';
import { InvalidArgumentError } from '../errors.js';
import type { CliDeps } from './cli-deps.js';
import type { CliIo } from './cli-io.js';
import { formatBrokerEvent } from './format-broker-event.js';
import { formatHelp, type HelpText } from './format-help.js';
import { type OptionSpec, parseArgs, wantsHelp } from './parse-args.js';
import { ExitCode, reportFailure } from './report-failure.js';

/** The options of `rxmqtt broker`. */
export const BROKER_OPTIONS: readonly OptionSpec[] = [
  { long: 'port', short: 'p', kind: 'integer', min: 0, max: 65535, valueName: 'PORT', description: 'MQTT/TCP port (default 1883; 0 picks a free port)' },
  { long: 'host', short: 'h', kind: 'string', valueName: 'HOST', description: 'interface to listen on (default 127.0.0.1; 0.0.0.0 for all)' },
  { long: 'ws-port', kind: 'integer', min: 0, max: 65535, valueName: 'PORT', description: 'also accept MQTT over WebSocket on this port (0 picks a free port)' },
  {
    long: 'ws-allowed-origin',
    kind: 'string',
    repeatable: true,
    valueName: 'ORIGIN',
    description: 'a web page Origin that may use the WebSocket listener, e.g. https://app.example.com, or * for any (repeatable; default: pages from localhost, 127.0.0.1 and [::1] on any port)',
  },
  { long: 'verbose', short: 'v', kind: 'flag', description: 'log connections, subscriptions and messages on stderr' },
  { long: 'help', kind: 'flag', description: 'show this help' },
];

/** The `rxmqtt broker --help` text. */
export const BROKER_HELP: HelpText = {
  usage: ['rxmqtt broker [--port PORT] [--host HOST] [--ws-port PORT [--ws-allowed-origin ORIGIN]...] [--verbose]'],
  summary:
    'Runs the embedded MQTT 3.1.1 and 5.0 broker until Ctrl-C (SIGINT) or SIGTERM, then closes every ' +
    'connection and exits. Prints the URL of each listener on stdout, one per line.',
  options: BROKER_OPTIONS,
  examples: [
    ['rxmqtt broker', 'listen on mqtt://127.0.0.1:1883'],
    ['rxmqtt broker --port 0 --ws-port 0 --verbose', 'free ports, TCP and WebSocket, with a log of what happens'],
    ['rxmqtt broker --ws-port 8080 --ws-allowed-origin https://app.example.com', 'let one web app (and programs) use the WebSocket listener'],
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
  try {
    const args = parseArgs(argv, BROKER_OPTIONS);
    port = args.integer('port') ?? 1883;
    host = args.string('host') ?? '127.0.0.1';
    wsPort = args.integer('ws-port');
    verbose = args.flag('verbose');
    const origins = args.strings('ws-allowed-origin');
    allowedOrigins = origins.length > 0 ? origins : undefined;
    for (const origin of origins) {
      const problem = originPatternProblem(origin);
      if (problem !== undefined) throw new InvalidArgumentError('--ws-allowed-origin', `${problem}, got ${JSON.stringify(origin)}`);
    }
    if (allowedOrigins !== undefined && wsPort === undefined) throw new InvalidArgumentError('--ws-allowed-origin', 'needs --ws-port');
  } catch (error) {
    return reportFailure(io.stderr, 'broker', error);
  }
  // Listen for signals before the broker exists, so an early Ctrl-C still closes it.
  const signal = firstValueFrom(io.signals);
  let broker: Awaited<ReturnType<CliDeps['startBroker']>>;
  try {
    broker = await deps.startBroker({ port, host, ...(wsPort === undefined ? {} : { websocket: { port: wsPort, ...(allowedOrigins === undefined ? {} : { allowedOrigins }) } }) });
  } catch (error) {
    return reportFailure(io.stderr, 'broker', error, `cannot listen on ${host}:${port}`);
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
