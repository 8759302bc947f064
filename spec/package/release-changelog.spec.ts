/**
 * scripts/release-changelog.js, run by `npm version`: the Unreleased section becomes the new
 * version's, in the same commit as package.json's new version.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'release-changelog.js');
const today = new Date().toISOString().slice(0, 10);

function exec(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

const CHANGELOG = `# Changelog

## [Unreleased]

### Fixed
- a fix

## [0.1.0] - 2026-01-01

### Added
- everything
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxmqtt-release-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('release-changelog', () => {
  it('turns Unreleased into the version with today’s date and opens an empty Unreleased above it', async () => {
    const file = join(dir, 'CHANGELOG.md');
    writeFileSync(file, CHANGELOG);
    const r = await exec(process.execPath, [script, '0.2.0', file], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(CHANGELOG.replace('## [Unreleased]\n', `## [Unreleased]\n\n## [0.2.0] - ${today}\n`));
  });

  it.each([
    ['an empty Unreleased section', CHANGELOG.replace('### Fixed\n- a fix\n\n', ''), '0.2.0', /Unreleased section .* is empty/],
    ['a version that is already there', CHANGELOG, '0.1.0', /already has a section for 0\.1\.0/],
    ['no Unreleased section', '# Changelog\n', '0.2.0', /no "## \[Unreleased\]" section/],
    ['something that is not a version', CHANGELOG, 'next', /'next' is not a version/],
  ])('refuses %s and leaves the file alone', async (_, text, version, message) => {
    const file = join(dir, 'CHANGELOG.md');
    writeFileSync(file, text);
    const r = await exec(process.execPath, [script, version, file], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('keeps package.json and the CHANGELOG in step through npm version, in one commit and tag', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { version: string } };
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'scratch', version: '0.1.0', private: true, scripts: { version: pkg.scripts.version.replace('scripts/release-changelog.js', JSON.stringify(script)) } }),
    );
    writeFileSync(join(dir, 'CHANGELOG.md'), CHANGELOG);
    const who = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
    for (const args of [['init', '-q'], ['add', '.'], ['commit', '-qm', 'start']]) expect((await exec('git', args, dir, who)).code).toBe(0);
    const r = await exec('npm', ['version', 'minor', '--no-sign-git-tag'], dir, who);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const show = await exec('git', ['show', '--format=%s', '--name-only', 'v0.2.0^{commit}'], dir);
    expect(show.stdout.trim().split('\n').filter((l) => l !== '')).toEqual(['0.2.0', 'CHANGELOG.md', 'package.json']);
    expect((await exec('git', ['status', '--porcelain'], dir)).stdout).toBe('');
    expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toContain(`## [Unreleased]\n\n## [0.2.0] - ${today}\n\n### Fixed\n- a fix\n`);
  }, 60_000);
});
