import { formatHelp } from '../../lib/cli/format-help';

describe('formatHelp', () => {
  const help = formatHelp({
    usage: ['tool -t TOPIC', 'tool --help'],
    summary: `${'word '.repeat(40)}end`,
    options: [
      { long: 'topic', short: 't', kind: 'string', valueName: 'TOPIC', description: 'the topic' },
      { long: 'count', kind: 'integer', description: 'how many' },
      { long: 'verbose', short: 'v', kind: 'flag', description: 'say more' },
    ],
    examples: [['tool -t a', 'send to a']],
    notes: ['Exit status: 0 fine.'],
  });
  const lines = help.split('\n');

  it('lists the usage lines, aligned', () => {
    expect(lines.slice(0, 2)).toEqual(['Usage: tool -t TOPIC', '       tool --help']);
  });

  it('wraps the summary at 96 columns without losing words', () => {
    const summary = lines.slice(3, lines.indexOf('Options:') - 1);
    expect(summary.length).toBeGreaterThan(1);
    for (const line of summary) expect(line.length).toBeLessThanOrEqual(96);
    expect(summary.join(' ')).toBe(`${'word '.repeat(40)}end`);
  });

  it('aligns the option table and shows value placeholders', () => {
    const start = lines.indexOf('Options:') + 1;
    expect(lines.slice(start, start + 3)).toEqual([
      '  -t, --topic TOPIC  the topic',
      '      --count N      how many',
      '  -v, --verbose      say more',
    ]);
  });

  it('ends with examples and notes', () => {
    expect(help).toContain('Examples:\n  # send to a\n  tool -t a\n');
    expect(help.endsWith('Exit status: 0 fine.\n')).toBe(true);
  });
});
