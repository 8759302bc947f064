import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../lib/errors';
import { resolveConnectOptions } from '../../lib/cli/resolve-connect-options';

describe('resolveConnectOptions', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxmqtt-cli-tls-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    writeFileSync(join(dir, 'cert.pem'), 'CERT PEM');
    writeFileSync(join(dir, 'key.pem'), 'KEY PEM');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const base = { url: 'mqtts://b:8883', protocolVersion: 4 as const, keepalive: 60, clean: true, connectTimeout: 10000 };

  it('passes settings without TLS through unchanged', async () => {
    await expect(resolveConnectOptions(base)).resolves.toEqual(base);
  });

  it('reads the PEM files and maps --insecure to rejectUnauthorized: false', async () => {
    const tls = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), insecure: true };
    await expect(resolveConnectOptions({ ...base, tls })).resolves.toEqual({ ...base, ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', rejectUnauthorized: false });
    await expect(resolveConnectOptions({ ...base, tls: { caFile: join(dir, 'ca.pem'), insecure: false } })).resolves.toEqual({ ...base, ca: 'CA PEM' });
  });

  it('names the option whose file cannot be read', async () => {
    const missing = join(dir, 'missing.pem');
    const result = resolveConnectOptions({ ...base, tls: { caFile: missing, insecure: false } });
    await expect(result).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(result).rejects.toThrow(new RegExp(`^--cafile: cannot read '${missing}': ENOENT`));
  });
});
