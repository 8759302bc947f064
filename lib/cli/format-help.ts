import type { OptionSpec } from './parse-args.js';

/** The parts of a command's `--help` text. */
export interface HelpText {
  /** One or more usage lines, e.g. `rxmqtt pub -t TOPIC -m MESSAGE [options]`. */
  readonly usage: readonly string[];
  /** What the command does, one short paragraph. */
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** Example command lines with a comment each: `[command, what it does]`. */
  readonly examples?: readonly (readonly [string, string])[];
  /** Closing lines (exit codes, notes). */
  readonly notes?: readonly string[];
}

/**
 * Renders a help text: usage, summary, an aligned option table, examples and notes.
 *
 * @example
 * ```ts
 * process.stdout.write(formatHelp({ usage: ['rxmqtt sub -t FILTER'], summary: 'Prints messages.', options }));
 * ```
 */
export function formatHelp(help: HelpText): string {
  const lines: string[] = [];
  lines.push(`Usage: ${help.usage[0] ?? ''}`);
  for (const more of help.usage.slice(1)) lines.push(`       ${more}`);
  lines.push('', ...wrap(help.summary, 96), '');
  if (help.options.length > 0) {
    lines.push('Options:');
    const left = help.options.map(optionSynopsis);
    const width = Math.max(...left.map((s) => s.length));
    help.options.forEach((spec, k) => lines.push(`  ${left[k]!.padEnd(width)}  ${spec.description}`));
    lines.push('');
  }
  if (help.examples !== undefined && help.examples.length > 0) {
    lines.push('Examples:');
    for (const [command, comment] of help.examples) lines.push(`  # ${comment}`, `  ${command}`);
    lines.push('');
  }
  if (help.notes !== undefined && help.notes.length > 0) lines.push(...help.notes, '');
  return lines.join('\n');
}

/** Breaks text into lines of at most `width` characters at spaces (a longer word gets its own line). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}

function optionSynopsis(spec: OptionSpec): string {
  const names = spec.short === undefined ? `    --${spec.long}` : `-${spec.short}, --${spec.long}`;
  if (spec.kind === 'flag') return names;
  const value = spec.valueName ?? (spec.kind === 'integer' ? 'N' : 'VALUE');
  return `${names} ${value}`;
}
