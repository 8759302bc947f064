/**
 * Prints aligned plain-text (and Markdown-compatible) tables for benchmark results.
 *
 * @example
 * ```ts
 * printTable(['case', 'ours', 'theirs', 'ratio'], [['PUBLISH 64 B', '4.1 M/s', '1.2 M/s', '3.42x']]);
 * // | case         | ours    | theirs  | ratio |
 * // |--------------|---------|---------|-------|
 * // | PUBLISH 64 B | 4.1 M/s | 1.2 M/s | 3.42x |
 * ```
 */

/** Column alignment: text columns left, figures right. */
export type Align = 'left' | 'right';

/** Renders a Markdown table whose columns are padded to line up in a terminal too. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const cell = (text: string, c: number) => ((align?.[c] ?? (c === 0 ? 'left' : 'right')) === 'left' ? text.padEnd(widths[c]) : text.padStart(widths[c]));
  const line = (cells: readonly string[]) => `| ${widths.map((_, c) => cell(cells[c] ?? '', c)).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => ((align?.[c] ?? (c === 0 ? 'left' : 'right')) === 'left' ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Prints {@link renderTable} to standard output. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): void {
  console.log(renderTable(headers, rows, align));
}

/** Formats ours/theirs as `3.42x`. */
export function formatRatio(ours: number, theirs: number): string {
  return `${(ours / theirs).toFixed(2)}x`;
}
