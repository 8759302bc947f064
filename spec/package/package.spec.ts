/**
 * The package as users get it: the tarball `npm pack` makes from the built dist/ (`npm test` builds
 * it first). It is checked by @arethetypeswrong/cli and publint, its source maps are followed, and
 * it is installed into a scratch project (offline: rxjs and @types/node are linked from this
 * checkout), where each entry runs from ESM and from CommonJS and `tsc` type-checks a program
 * against it under every module resolution mode.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = require.resolve('typescript/bin/tsc');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function exec(file: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } }, (error, stdout, stderr) =>
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

const node = (args: readonly string[], cwd: string): Promise<Ran> => exec(process.execPath, args, cwd);

/** Every file below `dir`, as paths relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

let work: string;
let tarball: string;
let unpacked: string;
let project: string;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cjs', 'index.js')) || !existsSync(join(root, 'dist', 'esm', 'index.d.ts'))) {
    throw new Error("dist/ is missing or old: run 'npm run build' first (npm test does it)");
  }
  work = mkdtempSync(join(tmpdir(), 'rxmqtt-package-'));
  // --ignore-scripts: pack what was just built instead of building a second time (prepack).
  const packed = await exec(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
  if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  const untar = await exec('tar', ['-xzf', tarball, '-C', unpacked], work);
  if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('has no problems for @arethetypeswrong/cli under node10, node16 (CJS and ESM) and bundler', async () => {
    const attw = join(dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist', 'index.js');
    // --no-definitely-typed: nothing is looked up on the registry.
    const r = await node([attw, tarball, '--no-definitely-typed', '--format', 'json'], work);
    const report = JSON.parse(r.stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './angular', './broker', './codec', './node', './package.json']);
    expect(r.code).toBe(0);
  }, 120_000);

  it('passes publint with nothing to suggest', async () => {
    // Its exports do not include package.json: find the command from the main module.
    const publint = join(dirname(require.resolve('publint')), 'cli.js');
    const r = await node([publint, 'run', tarball, '--level', 'suggestion', '--strict'], work);
    expect(r.stdout + r.stderr).toContain('All good!');
    expect(r.code).toBe(0);
  }, 120_000);

  it('ships separate declarations for ESM and CommonJS, each with the package type that says which (and sideEffects: false)', () => {
    const dist = join(unpacked, 'package', 'dist');
    // Bundlers take sideEffects from the nearest package.json: without it here, unused re-exports of an entry stay in the bundle.
    expect(JSON.parse(readFileSync(join(dist, 'esm', 'package.json'), 'utf8'))).toEqual({ type: 'module', sideEffects: false });
    expect(JSON.parse(readFileSync(join(dist, 'cjs', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs', sideEffects: false });
    for (const entry of ['index', 'codec/index', 'node/index', 'broker/index', 'angular/index']) {
      expect(existsSync(join(dist, 'esm', `${entry}.d.ts`))).toBe(true);
      expect(existsSync(join(dist, 'cjs', `${entry}.d.ts`))).toBe(true);
    }
  });

  it('has source maps whose every source is a file in the tarball', () => {
    const base = join(unpacked, 'package');
    const maps = filesBelow(base).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(base, map), 'utf8')) as { sources: string[] };
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        const target = resolve(dirname(join(base, map)), source);
        if (!existsSync(target) || relative(base, target).startsWith('..')) missing.push(`${map} -> ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has no lifecycle script that runs when it is installed', () => {
    const shipped = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const installTime = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => shipped.scripts?.[s] !== undefined);
    expect(installTime).toEqual([]);
  });
});

describe('the tarball installed into a scratch project', () => {
  const link = (name: string): string => `file:${dirname(require.resolve(`${name}/package.json`))}`;

  beforeAll(async () => {
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        version: '1.0.0',
        private: true,
        // Linked from this checkout, so the install needs no registry.
        // @angular/core (an optional peer, for rxmqtt/angular) is the checkout's oldest supported one.
        dependencies: { rxjs: link('rxjs'), '@types/node': link('@types/node'), '@angular/core': link('@angular/core'), [pkg.name]: `file:${tarball}` },
      }),
    );
  });

  it('installs offline without a warning about rxmqtt', async () => {
    const r = await exec(npm, ['install', '--offline', '--no-audit', '--no-fund'], project);
    expect(r.stderr).not.toMatch(/rxmqtt/);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'node_modules', 'rxmqtt', 'package.json'), 'utf8'))).toMatchObject({ version: pkg.version });
  }, 120_000);

  const probe = (load: (entry: string) => string): string =>
    [
      `const root = ${load('rxmqtt')}; const codec = ${load('rxmqtt/codec')};`,
      `const nodeEntry = ${load('rxmqtt/node')}; const brokerEntry = ${load('rxmqtt/broker')};`,
      // A message through the broker of rxmqtt/broker with the client of rxmqtt/node, the codec and the root entry.
      'const broker = await brokerEntry.startBroker({ port: 0 });',
      'const client = await nodeEntry.connectAsync(broker.url, { reconnect: false });',
      // Retained, so the subscription made after it still gets it.
      "await client.publishAsync('p/t', 'hello', { qos: 1, retain: true });",
      "const text = await new Promise((resolve) => client.subscribe('p/t', { qos: 1 }).subscribe((m) => resolve(m.text())));",
      'await client.disconnect(); await broker.close();',
      "const bytes = codec.encode({ type: 'pingreq' }, { protocolVersion: 4 });",
      "console.log(JSON.stringify({ text, ping: Array.from(bytes), connect: typeof root.connect, decode: typeof root.decodePackets, error: new root.InvalidArgumentError('a', 'b').code }));",
    ].join('\n');
  const expected = { text: 'hello', ping: [0xc0, 0x00], connect: 'function', decode: 'function', error: 'INVALID_ARGUMENT' };

  it('runs every entry from an ES module', async () => {
    writeFileSync(join(project, 'probe.mjs'), probe((entry) => `await import('${entry}')`));
    const r = await node(['probe.mjs'], project);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expected);
  }, 60_000);

  it('loads rxmqtt/angular from an ES module, with @angular/core installed', async () => {
    // Only from ESM: @angular/core is published as ES modules only, so require('rxmqtt/angular')
    // needs a Node that can require ES modules (22.12 and later) or a bundler.
    writeFileSync(
      join(project, 'probe-angular.mjs'),
      [
        "const angular = await import('rxmqtt/angular');",
        "const token = angular.createMqttToken('telemetry');",
        "console.log(JSON.stringify({ provideMqtt: typeof angular.provideMqtt, injectMqtt: typeof angular.injectMqtt, mqttSignal: typeof angular.mqttSignal, connectionState: typeof angular.connectionState, name: token.mqttConnectionName }));",
      ].join('\n'),
    );
    const r = await node(['probe-angular.mjs'], project);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ provideMqtt: 'function', injectMqtt: 'function', mqttSignal: 'function', connectionState: 'function', name: 'telemetry' });
  }, 60_000);

  it('runs every entry from CommonJS', async () => {
    writeFileSync(join(project, 'probe.cjs'), `(async () => {\n${probe((entry) => `require('${entry}')`)}\n})();`);
    const r = await node(['probe.cjs'], project);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expected);
  }, 60_000);

  it('runs the rxmqtt command', async () => {
    const r = await node([join(project, 'node_modules', 'rxmqtt', 'dist', 'cjs', 'cli', 'main.js'), '--version'], project);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  /** A program using each entry's types; a wrong type anywhere fails the strict check. */
  const program = [
    "import { connect, type MqttClient, type MqttMessage, InvalidArgumentError } from 'rxmqtt';",
    "import { encode, type Packet } from 'rxmqtt/codec';",
    "import { connectAsync, type NodeClientOptions } from 'rxmqtt/node';",
    "import { startBroker, type BrokerHandle } from 'rxmqtt/broker';",
    "import { provideMqtt, createMqttToken, type MqttToken } from 'rxmqtt/angular';",
    "const TELEMETRY: MqttToken = createMqttToken('telemetry');",
    "export const providers = [provideMqtt({ url: 'ws://localhost:1/mqtt', eager: true }), provideMqtt(() => ({ url: 'ws://localhost:2/mqtt' }), TELEMETRY)];",
    "const options: NodeClientOptions = { protocolVersion: 5, reconnect: false };",
    "const ping: Packet = { type: 'pingreq' };",
    'const bytes: Uint8Array = encode(ping, { protocolVersion: 5 });',
    'export async function main(): Promise<number> {',
    '  const broker: BrokerHandle = await startBroker({ port: 0 });',
    '  const client: MqttClient = await connectAsync(broker.url, options);',
    "  client.subscribe('a/#').subscribe((m: MqttMessage) => m.text().length);",
    "  const browser: MqttClient = connect('ws://localhost:1/mqtt', { reconnect: false });",
    '  await Promise.all([client.disconnect(), browser.disconnect()]);',
    '  await broker.close();',
    "  return bytes.length + new InvalidArgumentError('x', 'y').code.length;",
    '}',
    '',
  ].join('\n');

  it.each([
    ['node10', 'commonjs', 'program.ts'],
    ['node16', 'node16', 'program.cts'],
    ['node16', 'node16', 'program.mts'],
    ['nodenext', 'nodenext', 'program.mts'],
    ['bundler', 'esnext', 'program.ts'],
  ])('type-checks a strict program against it with moduleResolution %s (module %s, %s)', async (moduleResolution, module, file) => {
    const dir = join(project, `tsc-${moduleResolution}-${file.replace('.', '-')}`);
    mkdirSync(dir);
    writeFileSync(join(dir, file), program);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module,
          moduleResolution,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          types: ['node'],
          strict: true,
          noEmit: true,
          // Every mode checks how the types resolve and fit the program; one also checks every
          // declaration file itself (the slow part), in the strictest mode.
          skipLibCheck: moduleResolution !== 'nodenext',
        },
        files: [file],
      }),
    );
    const r = await node([tsc, '-p', 'tsconfig.json'], dir);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);
});
