import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePasswordFile, passwordFileAuthenticator } from '../../lib/broker/password-file.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { describeWithMosquitto } from '../helpers/mosquitto.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A password file written by the real mosquitto_passwd: alice with $7$ (the default), bob with $6$. */
function mosquittoPasswordFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rxmqtt-passwd-'));
  try {
    const file = join(dir, 'passwd');
    for (const args of [['-c', '-b', file, 'alice', 'correct horse'], ['-H', 'sha512', '-b', file, 'bob', 'bätterie']]) {
      const r = spawnSync('mosquitto_passwd', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd ${args.join(' ')} failed: ${r.stderr}${r.error ?? ''}`);
    }
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeWithMosquitto('parsePasswordFile with files made by mosquitto_passwd', () => {
  const text = mosquittoPasswordFile();

  it('reads both hash formats and verifies the right passwords only', () => {
    expect(text).toMatch(/^alice:\$7\$101\$/m);
    expect(text).toMatch(/^bob:\$6\$/m);
    const file = parsePasswordFile(text);
    expect(file.users).toEqual(['alice', 'bob']);
    expect(file.verify('alice', utf8('correct horse'))).toBe(true);
    expect(file.verify('alice', utf8('correct horse!'))).toBe(false);
    expect(file.verify('bob', utf8('bätterie'))).toBe(true);
    expect(file.verify('bob', utf8('batterie'))).toBe(false);
    expect(file.verify('carol', utf8('anything'))).toBe(false);
    expect(file.verify('alice', undefined)).toBe(false);
  });

  it('gives an authenticate hook: 0x86 for a bad password, 0x87 for anonymous unless allowed', () => {
    const file = parsePasswordFile(text);
    const strict = passwordFileAuthenticator(file);
    const req = (username: string | undefined, password?: string) => ({ clientId: 'c', username, password: password === undefined ? undefined : utf8(password), protocolVersion: 5 as const });
    expect(strict(req('alice', 'correct horse'))).toBe(true);
    expect(strict(req('alice', 'wrong'))).toEqual({ reasonCode: 0x86 });
    expect(strict(req(undefined))).toEqual({ reasonCode: 0x87 });
    expect(passwordFileAuthenticator(file, { allowAnonymous: true })(req(undefined))).toBe(true);
  });
});

describe('parsePasswordFile on malformed files', () => {
  it('names the line and the problem', () => {
    expect(() => parsePasswordFile('alice:plaintext\n', 'passwd')).toThrow(/passwd line 1: the password is not hashed/);
    expect(() => parsePasswordFile('# users\n\nnocolon\n')).toThrow(/line 3: expected user:hash/);
    expect(() => parsePasswordFile('a:$7$x$c2FsdA==$aGFzaA==\n')).toThrow(/bad iteration count/);
    expect(() => parsePasswordFile('a:$5$c2FsdA==$aGFzaA==\n')).toThrow(/unknown hash format/);
    expect(() => parsePasswordFile('a:$6$c2FsdA==$aGFzaA==\na:$6$c2FsdA==$aGFzaA==\n')).toThrow(/appears twice/);
    expect(() => parsePasswordFile(7 as unknown as string)).toThrow(InvalidArgumentError);
  });
});
