/**
 * Test helper: generates TLS material with `openssl` in a temporary folder at test time:
 * a CA, a server certificate for 127.0.0.1 / localhost signed by it, a client certificate signed by
 * it, and a second, unrelated CA (for the "wrong CA" cases). Short-lived P-256 keys keep it fast.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM file: where it is and what it holds. */
export interface PemFile {
  readonly path: string;
  readonly pem: string;
}

/** The generated material. */
export interface TlsFixtures {
  readonly dir: string;
  readonly ca: PemFile;
  readonly serverCert: PemFile;
  readonly serverKey: PemFile;
  readonly clientCert: PemFile;
  readonly clientKey: PemFile;
  /** A CA that signed none of the above. */
  readonly otherCa: PemFile;
  /** Removes the folder. */
  dispose(): void;
}

function openssl(dir: string, args: readonly string[]): void {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 20000 });
  if (result.error !== undefined) throw new Error(`openssl could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=rxmqtt test ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function makeLeaf(dir: string, name: string, ca: string, extensions: string): void {
  openssl(dir, ['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=rxmqtt test ${name}`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
  ]);
}

/**
 * Generates the material (synchronously, a fraction of a second). Call `dispose()` in `afterAll`.
 *
 * @example
 * ```ts
 * const tls = generateTlsFixtures();
 * const mosquitto = await startMosquitto({ tls: { cafile: tls.ca.path, certfile: tls.serverCert.path, keyfile: tls.serverKey.path } });
 * ```
 */
export function generateTlsFixtures(): TlsFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'rxmqtt-tls-'));
  try {
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    makeLeaf(dir, 'server', 'ca', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'));
    makeLeaf(dir, 'client', 'ca', ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', ''].join('\n'));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const file = (name: string): PemFile => {
    const path = join(dir, name);
    return { path, pem: readFileSync(path, 'utf8') };
  };
  return {
    dir,
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCa: file('other-ca.crt'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
