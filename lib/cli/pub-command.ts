import { readFile } from 'node:fs/promises';
import { type Observable, lastValueFrom, mergeMap, of, takeUntil, tap } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import type { Packet, QoS } from '../codec/packet.js';
import type { CliConnectOptions, CliDeps } from './cli-deps.js';
import type { CliIo } from './cli-io.js';
import { CONNECTION_OPTIONS, connectionFromArgs } from './connection-options.js';
import { resolveConnectOptions } from './resolve-connect-options.js';
import { formatHelp, type HelpText } from './format-help.js';
import { formatPacket } from './format-packet.js';
import { type OptionSpec, type ParsedArgs, parseArgs, wantsHelp } from './parse-args.js';
import { lines, readAll } from './read-stdin.js';
import { ExitCode, reportFailure } from './report-failure.js';
import { checkTopicName } from './topic-checks.js';
import type { TraceDirection } from './trace-transport.js';

/** The options of `rxmqtt pub`. */
export const PUB_OPTIONS: readonly OptionSpec[] = [
  { long: 'topic', short: 't', kind: 'string', valueName: 'TOPIC', description: 'topic to publish to (required)' },
  { long: 'message', short: 'm', kind: 'string', valueName: 'MESSAGE', description: 'send MESSAGE as the payload' },
  { long: 'stdin-file', short: 's', kind: 'flag', description: 'send all of stdin as one message' },
  { long: 'stdin-line', short: 'l', kind: 'flag', description: 'send each line of stdin as a message (blank lines are skipped)' },
  { long: 'null-message', short: 'n', kind: 'flag', description: 'send an empty message (with -r: clear the retained message)' },
  { long: 'file', short: 'f', kind: 'string', valueName: 'FILE', description: 'send the contents of FILE as one message' },
  { long: 'qos', short: 'q', kind: 'integer', min: 0, max: 2, valueName: '0|1|2', description: 'quality of service (default 0)' },
  { long: 'retain', short: 'r', kind: 'flag', description: 'ask the broker to retain the message' },
  ...CONNECTION_OPTIONS,
  { long: 'help', kind: 'flag', description: 'show this help' },
];

/** The `rxmqtt pub --help` text. */
export const PUB_HELP: HelpText = {
  usage: ['rxmqtt pub -t TOPIC (-m MESSAGE | -s | -l | -n | -f FILE) [options]'],
  summary: 'Connects to a broker, publishes one message (or one per line of stdin), waits until the broker has it (QoS 1 and 2), and disconnects.',
  options: PUB_OPTIONS,
  examples: [
    ['rxmqtt pub -t greetings -m "hello world"', 'one message to the broker on localhost:1883'],
    ['rxmqtt pub --url mqtt://broker.local:1884 -t lights/kitchen -m on -q 1 -r', 'a retained QoS 1 message to another broker'],
    ['tail -f app.log | rxmqtt pub -t logs/app -l', 'each new log line as a message'],
    ['rxmqtt pub -t config/device1 -s < config.json', 'a file from stdin as one message'],
  ],
  notes: ['Exit status: 0 sent, 1 failed (unreachable broker, refused, lost connection), 2 bad arguments.'],
};

/**
 * `rxmqtt pub`: publishes messages like mosquitto_pub. Resolves with the exit code; writes nothing
 * to stdout except the help text, diagnostics (`-d`) and errors go to stderr. SIGINT or SIGTERM
 * stops reading stdin (`-l`); messages already handed to the client still complete, then it sends
 * DISCONNECT and resolves with 0.
 *
 * @example
 * ```ts
 * process.exitCode = await pubCommand(['-t', 'a/b', '-m', 'hi'], processIo(), deps);
 * ```
 */
export async function pubCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(formatHelp(PUB_HELP));
    return ExitCode.ok;
  }
  let args: ParsedArgs;
  let topic: string;
  let connection: CliConnectOptions;
  try {
    args = parseArgs(argv, PUB_OPTIONS);
    topic = requiredTopic(args);
    connection = await resolveConnectOptions(connectionFromArgs(args));
    messageSource(args);
  } catch (error) {
    return reportFailure(io.stderr, 'pub', error);
  }
  const qos = (args.integer('qos') ?? 0) as QoS;
  const retain = args.flag('retain');
  const debugging = args.flag('debug');
  const debug = debugging ? (line: string) => io.stderr.write(`rxmqtt pub: ${line}\n`) : () => undefined;
  const trace = debugging ? { trace: (direction: TraceDirection, packet: Packet) => debug(`${direction} ${formatPacket(packet)}`) } : {};

  let messages$: Observable<string | Uint8Array>;
  try {
    messages$ = await readMessages(args, io);
  } catch (error) {
    return reportFailure(io.stderr, 'pub', error, 'cannot read the message');
  }

  debug(`connecting to ${connection.url} (MQTT ${connection.protocolVersion === 5 ? '5' : '3.1.1'})`);
  let client: Awaited<ReturnType<CliDeps['connectAsync']>>;
  try {
    // A one-shot publish fails fast: a lost connection is reported rather than retried.
    client = await deps.connectAsync({ ...connection, reconnect: false, ...trace });
  } catch (error) {
    return reportFailure(io.stderr, 'pub', error, `cannot connect to ${connection.url}`);
  }
  debug('connected');
  let code: number = ExitCode.ok;
  let sent = 0;
  try {
    await lastValueFrom(
      messages$.pipe(
        // Ctrl-C stops reading stdin (-l); messages already handed over still finish, then DISCONNECT.
        takeUntil(io.signals),
        // Up to 16 in flight; the client sends them in this order.
        mergeMap((payload) => client.publish(topic, payload, { qos, retain }).pipe(
          tap({ complete: () => debug(delivered(++sent, topic, byteLength(payload), qos, retain)) }),
        ), 16),
      ),
      { defaultValue: undefined },
    );
  } catch (error) {
    code = reportFailure(io.stderr, 'pub', error, `publish to '${topic}' failed`);
  }
  try {
    await client.disconnect({ timeout: 2000 });
    debug('disconnected');
  } catch (error) {
    if (code === ExitCode.ok) code = reportFailure(io.stderr, 'pub', error, 'disconnect failed');
  }
  return code;
}

function requiredTopic(args: ParsedArgs): string {
  const topic = args.string('topic');
  if (topic === undefined) throw new InvalidArgumentError('-t/--topic', 'missing: give the topic to publish to');
  checkTopicName(topic, '-t/--topic');
  return topic;
}

const SOURCES = ['message', 'stdin-file', 'stdin-line', 'null-message', 'file'] as const;

function messageSource(args: ParsedArgs): (typeof SOURCES)[number] {
  const given = SOURCES.filter((name) => args.has(name));
  if (given.length === 0) throw new InvalidArgumentError('-m/--message', 'no message given: use one of -m MESSAGE, -s, -l, -n or -f FILE');
  if (given.length > 1) throw new InvalidArgumentError(`--${given[1]}`, `cannot be combined with --${given[0]}: give exactly one message source`);
  return given[0]!;
}

async function readMessages(args: ParsedArgs, io: CliIo): Promise<Observable<string | Uint8Array>> {
  switch (messageSource(args)) {
    case 'message':
      return of(args.string('message')!);
    case 'null-message':
      return of(new Uint8Array(0));
    case 'file':
      return of(new Uint8Array(await readFile(args.string('file')!)));
    case 'stdin-file':
      return of(await readAll(io.stdin));
    case 'stdin-line':
      return lines(io.stdin);
  }
}

/** The `-d` line for a message whose publish completed: what "done" means depends on the QoS. */
function delivered(n: number, topic: string, bytes: number, qos: QoS, retain: boolean): string {
  const done = qos === 0 ? 'sent (QoS 0: no acknowledgement)' : qos === 1 ? 'delivered (QoS 1: PUBACK received)' : 'delivered (QoS 2: PUBCOMP received)';
  return `message ${n} to '${topic}' (${bytes} bytes${retain ? ', retained' : ''}) ${done}`;
}

function byteLength(payload: string | Uint8Array): number {
  return typeof payload === 'string' ? new TextEncoder().encode(payload).length : payload.length;
}
