import { InvalidArgumentError, MqttError } from '../errors.js';

/** Exit codes of the `rxmqtt` command. */
export const ExitCode = {
  /** Everything worked. */
  ok: 0,
  /** The command ran but failed: broker unreachable, connection refused or lost, a publish or subscription refused, messages lost. */
  failure: 1,
  /** Bad command-line arguments; nothing was sent. */
  usage: 2,
  /** `rxmqtt sub -W` waited that long without getting its messages (the same code as mosquitto_sub). */
  timeout: 27,
} as const;

/**
 * Prints one line about `error` on stderr as `rxmqtt <command>: <what went wrong>` and returns the
 * exit code: {@link ExitCode.usage} for an `InvalidArgumentError` (with a pointer to `--help`),
 * {@link ExitCode.failure} for anything else.
 *
 * @example
 * ```ts
 * return reportFailure(io.stderr, 'pub', error, 'cannot connect to mqtt://localhost:1883');
 * ```
 */
export function reportFailure(stderr: NodeJS.WritableStream, command: string, error: unknown, context?: string): number {
  const prefix = command === '' ? 'rxmqtt' : `rxmqtt ${command}`;
  if (error instanceof InvalidArgumentError) {
    stderr.write(`${prefix}: ${oneLine(error.message)} (see '${prefix} --help')\n`);
    return ExitCode.usage;
  }
  const text = describeError(error);
  stderr.write(`${prefix}: ${context === undefined ? text : `${context}: ${text}`}\n`);
  return ExitCode.failure;
}

/** A one-line description of an error, with its cause when that adds something. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    let text = error.message;
    const cause = error instanceof MqttError ? error.cause : (error as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message !== '' && !text.includes(cause.message)) text += ` (${cause.message})`;
    return oneLine(text === '' ? error.name : text);
  }
  return oneLine(String(error));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
