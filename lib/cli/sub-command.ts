import { NEVER, type Observable, filter, identity, map, merge, take, takeUntil, tap, timer } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import type { Packet, QoS } from '../codec/packet.js';
import type { CliClient, CliConnectOptions, CliDeps, CliMessage } from './cli-deps.js';
import type { CliIo } from './cli-io.js';
import { CliOutput } from './cli-output.js';
import { CONNECTION_OPTIONS, connectionFromArgs } from './connection-options.js';
import { resolveConnectOptions } from './resolve-connect-options.js';
import { formatHelp, type HelpText } from './format-help.js';
import { formatMessage } from './format-message.js';
import { formatPacket } from './format-packet.js';
import { type OptionSpec, type ParsedArgs, parseArgs, wantsHelp } from './parse-args.js';
import { ExitCode, reportFailure } from './report-failure.js';
import { checkTopicFilter } from './topic-checks.js';
import type { TraceDirection } from './trace-transport.js';

/** The options of `rxmqtt sub`. */
export const SUB_OPTIONS: readonly OptionSpec[] = [
  { long: 'topic', short: 't', kind: 'string', repeatable: true, valueName: 'FILTER', description: 'topic filter to subscribe to, wildcards + and # allowed (required, repeatable)' },
  { long: 'qos', short: 'q', kind: 'integer', min: 0, max: 2, valueName: '0|1|2', description: 'maximum quality of service (default 0)' },
  { long: 'count', short: 'C', kind: 'integer', min: 1, valueName: 'N', description: 'exit after N messages' },
  { long: 'verbose', short: 'v', kind: 'flag', description: "print 'topic payload' instead of the payload alone" },
  { long: 'timeout', short: 'W', kind: 'integer', min: 1, max: 2147483, valueName: 'SECONDS', description: 'exit (status 27) after this long if not done' },
  { long: 'no-newline', short: 'N', kind: 'flag', description: 'do not end each message with a newline' },
  { long: 'remove-retained', short: 'R', kind: 'flag', description: 'do not print retained (stale) messages' },
  ...CONNECTION_OPTIONS,
  { long: 'help', kind: 'flag', description: 'show this help' },
];

/** The `rxmqtt sub --help` text. */
export const SUB_HELP: HelpText = {
  usage: ['rxmqtt sub -t FILTER [-t FILTER ...] [options]'],
  summary:
    'Connects to a broker, subscribes, and prints every message payload on its own line on stdout ' +
    '(with -v: the topic, a space, the payload). Runs until Ctrl-C, -C N messages, or -W SECONDS.',
  options: SUB_OPTIONS,
  examples: [
    ["rxmqtt sub -t 'sensors/#' -v", 'everything under sensors/, with topics'],
    ['rxmqtt sub -t greetings -C 1', 'wait for one message, print it, exit'],
    ["rxmqtt sub -t 'sensors/+/temperature' | jq .celsius", 'JSON payloads into jq'],
    ["rxmqtt sub -t 'logs/#' -v -C 20", 'the first 20 messages, then exit'],
  ],
  notes: [
    'A lost connection is renewed with backoff and the subscriptions with it; both are reported on stderr.',
    'Piped into a program that stops reading (| head -n 3), it exits when it next has a message to print.',
    'Exit status: 0 done, 1 failed (unreachable broker, refused subscription), 2 bad arguments, 27 timed out (-W).',
  ],
};

/**
 * `rxmqtt sub`: prints messages like mosquitto_sub. Only payloads (or `topic payload` lines) go to
 * stdout; diagnostics (`-d`) and errors go to stderr. Stops cleanly (UNSUBSCRIBE, DISCONNECT, exit 0)
 * on SIGINT/SIGTERM or when stdout's reader goes away (e.g. `| head`). Resolves with the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await subCommand(['-t', 'a/#', '-v', '-C', '10'], processIo(), deps);
 * ```
 */
export async function subCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(formatHelp(SUB_HELP));
    return ExitCode.ok;
  }
  let args: ParsedArgs;
  let filters: readonly string[];
  let connection: CliConnectOptions;
  try {
    args = parseArgs(argv, SUB_OPTIONS);
    filters = args.strings('topic');
    if (filters.length === 0) throw new InvalidArgumentError('-t/--topic', 'missing: give at least one topic filter');
    for (const f of filters) checkTopicFilter(f, '-t/--topic');
    connection = await resolveConnectOptions(connectionFromArgs(args));
  } catch (error) {
    return reportFailure(io.stderr, 'sub', error);
  }
  const qos = (args.integer('qos') ?? 0) as QoS;
  const count = args.integer('count');
  const timeoutSeconds = args.integer('timeout');
  const format = { verbose: args.flag('verbose'), newline: !args.flag('no-newline') };
  const skipRetained = args.flag('remove-retained');
  const debugging = args.flag('debug');
  const debug = debugging ? (line: string) => io.stderr.write(`rxmqtt sub: ${line}\n`) : () => undefined;
  // With -d every packet is traced: the SUBACK shows the QoS the broker granted each filter.
  const trace = debugging ? { trace: (direction: TraceDirection, packet: Packet) => debug(`${direction} ${formatPacket(packet)}`) } : {};
  const out = new CliOutput(io.stdout);

  debug(`connecting to ${connection.url} (MQTT ${connection.protocolVersion === 5 ? '5' : '3.1.1'})`);
  let client: CliClient;
  try {
    // Keeps running across broker restarts: lost connections are renewed and the subscriptions with them.
    client = await deps.connectAsync({ ...connection, reconnect: true, ...trace });
  } catch (error) {
    return reportFailure(io.stderr, 'sub', error, `cannot connect to ${connection.url}`);
  }
  debug('connected');
  let lost = false;
  const reconnects = client.state$?.subscribe((state) => {
    if (state.status === 'connected' && lost) {
      lost = false;
      io.stderr.write(`rxmqtt sub: reconnected to ${connection.url}\n`);
    }
    if (state.status === 'reconnecting') {
      lost = true;
      const cause = state.cause === undefined ? '' : ` (${state.cause.message})`;
      const attempt = state.attempt ?? 1;
      const what = attempt === 1 ? 'connection lost' : 'reconnect failed';
      io.stderr.write(`rxmqtt sub: ${what}${cause}, reconnecting in ${state.delay ?? 0} ms (attempt ${attempt})\n`);
    }
  });

  type End = 'done' | 'signal' | 'closed' | 'timeout';
  let ended = 'done' as End;
  // Subscribed only while messages are awaited, so the timer and signal handlers go away with it.
  const stop$: Observable<End> = merge(
    io.signals.pipe(map(() => 'signal' as const)),
    out.closed$.pipe(map(() => 'closed' as const)),
    timeoutSeconds === undefined ? NEVER : timer(timeoutSeconds * 1000).pipe(map(() => 'timeout' as const)),
  ).pipe(
    take(1),
    tap((reason) => (ended = reason)),
  );
  let code: number = ExitCode.ok;
  try {
    debug(`subscribing to ${filters.map((f) => `'${f}'`).join(', ')} (QoS ${qos})`);
    await new Promise<void>((resolve, reject) => {
      merge(...filters.map((f) => client.subscribe(f, { qos })))
        .pipe(
          filter((m) => !(skipRetained && m.retain)),
          // The same message object handed to two matching filters is printed once.
          filter(firstDelivery()),
          count === undefined ? identity : take(count),
          takeUntil(stop$),
        )
        .subscribe({ next: (m) => out.write(formatMessage(m, format)), error: reject, complete: resolve });
    });
  } catch (error) {
    code = reportFailure(io.stderr, 'sub', error);
  }
  if (ended === 'timeout') {
    io.stderr.write(`rxmqtt sub: timed out after ${timeoutSeconds} s\n`);
    code = ExitCode.timeout;
  }
  reconnects?.unsubscribe();
  debug(ended === 'signal' ? 'interrupted, disconnecting' : ended === 'closed' ? 'output closed, disconnecting' : 'disconnecting');
  try {
    await client.disconnect({ timeout: 2000 });
    debug('disconnected');
  } catch (error) {
    if (code === ExitCode.ok) code = reportFailure(io.stderr, 'sub', error, 'disconnect failed');
  }
  return code;
}

/** A predicate that is false for a message object delivered again right after itself. */
function firstDelivery(): (message: CliMessage) => boolean {
  let last: CliMessage | undefined;
  return (message) => {
    const fresh = message !== last;
    last = message;
    return fresh;
  };
}
