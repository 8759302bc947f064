import { InvalidArgumentError } from '../errors.js';
import type { CliDeps } from './cli-deps.js';
import type { CliIo } from './cli-io.js';
import { wantsVersion } from './parse-args.js';
import { ExitCode, reportFailure } from './report-failure.js';

/** One `rxmqtt` subcommand. */
export interface CliCommand {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  run(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number>;
}

/** The top-level `rxmqtt --help` text for these commands. */
export function topLevelHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: rxmqtt <command> [options]',
    '',
    'MQTT 3.1.1 and 5.0 from the command line: a broker, a publisher, a subscriber and a demo.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'rxmqtt <command> --help' for the options of a command.",
    '',
    'Examples:',
    '  rxmqtt broker --port 1883                     # a broker on localhost:1883 until Ctrl-C',
    "  rxmqtt sub -t 'sensors/#' -v                  # print what arrives, with topics",
    '  rxmqtt pub -t sensors/s1/temperature -m 21.5  # send one message',
    '  rxmqtt demo                                   # see everything work together, no setup',
    '',
  ].join('\n');
}

/**
 * Runs `rxmqtt <command> ...` and resolves with the process exit code. `--help` (or `help`, `-h`)
 * prints the top-level help; `--version` prints `version`, also after a command
 * (`rxmqtt pub --version`). An unknown or missing command prints one line on stderr and resolves
 * with exit code 2.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo(), deps, commands, '0.1.0');
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  deps: CliDeps,
  commands: readonly CliCommand[],
  version: string,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    const target = commands.find((c) => c.name === rest[0]);
    if (target !== undefined) return target.run(['--help'], io, deps);
    io.stdout.write(topLevelHelp(commands));
    return ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command !== undefined && wantsVersion(rest)) {
    io.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  if (command === undefined) {
    const names = commands.map((c) => c.name).join(', ');
    const error =
      name === undefined
        ? new InvalidArgumentError('command', `missing; use one of ${names}`)
        : new InvalidArgumentError(name, `unknown ${name.startsWith('-') ? 'option' : 'command'}; use one of ${names}`);
    return reportFailure(io.stderr, '', error);
  }
  try {
    return await command.run(rest, io, deps);
  } catch (error) {
    // A bug, not a user error: still one line and a non-zero exit, never a stack dump on stdout.
    return reportFailure(io.stderr, command.name, error, 'unexpected error');
  }
}
