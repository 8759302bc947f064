/**
 * The built `rxmqtt` command where a new user trips first: the README's three-terminal example, a
 * port in use, `--ws-port` without `ws`, an `mqtt://` URL on a WebSocket port, reconnect reports,
 * the `-d` trace, `--version` after a command and the demo's wording.
 */
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CliChild, killAll, requireBuild, run, start, startBrokerProcess, uniqueTopic } from './cli-process';

const root = join(__dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(requireBuild);
afterAll(killAll);

async function stop(child: CliChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  child.child.kill(signal);
  await child.exited.catch(() => undefined);
}

/** Splits a README command line into words, honouring single quotes (all the README uses). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe("the README's three-terminal example", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /in three terminals:\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const lines = block.split('\n').filter((l) => l !== '');

  it('gives -p to all three commands, so it works next to a broker that already has 1883', () => {
    expect(lines.map((l) => words(l).slice(0, 3))).toEqual([
      ['npx', 'rxmqtt', 'broker'],
      ['npx', 'rxmqtt', 'sub'],
      ['npx', 'rxmqtt', 'pub'],
    ]);
    const ports = lines.map((l) => words(l)[words(l).indexOf('-p') + 1]);
    expect(new Set(ports).size).toBe(1);
    expect(ports[0]).toMatch(/^\d+$/);
    expect(ports[0]).not.toBe('1883');
  });

  it('delivers the published reading to the subscriber (run on a free port)', async () => {
    const [brokerLine, subLine, pubLine] = lines.map((l) => words(l).slice(2));
    const readmePort = brokerLine![brokerLine!.indexOf('-p') + 1]!;
    const withPort = (args: string[], port: string): string[] => args.map((w) => (w === readmePort ? port : w));
    const broker = start(withPort(brokerLine!, '0'), { timeoutMs: 30000 });
    try {
      const [, port] = await broker.waitFor(/listening on mqtt:\/\/127\.0\.0\.1:(\d+)\n/);
      // -d only to know when the subscription is in place.
      const sub = start([...withPort(subLine!, port!), '-d'], { timeoutMs: 30000 });
      await sub.waitFor(/received SUBACK \(packet \d+\): granted QoS 0/, 'stderr');
      expect(await run(withPort(pubLine!, port!))).toMatchObject({ code: 0, stdout: '', stderr: '' });
      await sub.waitFor(/^sensors\/s1\/temperature 21\.5\n$/);
      await stop(sub, 'SIGINT');
      expect((await sub.exited).code).toBe(0);
    } finally {
      await stop(broker);
    }
  });
});

describe('rxmqtt broker when it cannot listen', () => {
  let broker: CliChild;
  let port: number;
  let wsPort: number;
  beforeAll(async () => {
    ({ broker, port } = await startBrokerProcess(['--ws-port', '0']));
    wsPort = Number((await broker.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)/))[1]);
  });
  afterAll(() => stop(broker));

  it('says once that the port is in use, and how to choose another with -p', async () => {
    const r = await run(['broker', '-p', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `rxmqtt broker: cannot listen on 127.0.0.1:${port}: the port is already in use (another MQTT broker, such as Mosquitto, ` +
        'may be running there); choose another with -p PORT, or -p 0 for a free one\n',
    );
  });

  it('names --ws-port when the WebSocket port is the one in use', async () => {
    const r = await run(['broker', '-p', '0', '--ws-port', String(wsPort)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^rxmqtt broker: cannot listen on 127\\.0\\.0\\.1:${wsPort}: the port is already in use .*--ws-port 0 for a free one\\n$`));
  });

  it("says that --ws-port needs the 'ws' package when it is not installed", async () => {
    // The built package in a project of its own that has rxjs but not ws.
    const project = mkdtempSync(join(tmpdir(), 'rxmqtt-no-ws-'));
    try {
      cpSync(join(root, 'dist'), join(project, 'dist'), { recursive: true });
      cpSync(join(root, 'package.json'), join(project, 'package.json'));
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(dirname(require.resolve('rxjs/package.json')), join(project, 'node_modules', 'rxjs'), 'dir');
      const r = await start(['broker', '-p', '0', '--ws-port', '0'], { command: [process.execPath, join(project, 'dist', 'cjs', 'cli', 'main.js')] }).exited;
      expect(r).toMatchObject({
        code: 1,
        stdout: '',
        stderr: "rxmqtt broker: --ws-port needs the optional 'ws' package, which is not installed: run npm install ws, or leave out --ws-port\n",
      });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('tells a client that gives mqtt:// for the WebSocket port to use ws://', async () => {
    const r = await run(['pub', '--url', `mqtt://127.0.0.1:${wsPort}`, '-t', 'x', '-m', 'y']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rxmqtt pub: cannot connect to mqtt:\/\/127\.0\.0\.1:\d+: the server answered CONNECT with HTTP \("HTTP\/1\.1 \d+[^"]*"\).*use a ws:\/\/ or wss:\/\/ URL/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe('rxmqtt sub across a broker restart', () => {
  it('reports the lost connection and then that it reconnected, and receives again', async () => {
    const first = await startBrokerProcess();
    const topic = uniqueTopic('reconnected');
    const sub = start(['sub', '--url', first.url, '-t', topic, '-q', '1'], { timeoutMs: 60000 });
    let second: CliChild | undefined;
    try {
      // A retained message proves the subscription is in place.
      expect((await run(['pub', '--url', first.url, '-t', topic, '-m', 'before', '-r'])).code).toBe(0);
      await sub.waitFor(/^before\n/);
      await stop(first.broker);
      await sub.waitFor(/connection lost \(.+\), reconnecting in \d+ ms \(attempt 1\)\n/, 'stderr');
      second = start(['broker', '-p', String(first.port)], { timeoutMs: 60000 });
      await second.waitFor(/listening on /);
      await sub.waitFor(new RegExp(`rxmqtt sub: reconnected to mqtt://127\\.0\\.0\\.1:${first.port}\\n`), 'stderr');
      // The new broker has no session: the subscription was made again, and the retained message proves it.
      expect((await run(['pub', '--url', first.url, '-t', topic, '-m', 'after', '-r'])).code).toBe(0);
      await sub.waitFor(/^before\nafter\n$/);
      await stop(sub, 'SIGINT');
      expect((await sub.exited).code).toBe(0);
    } finally {
      await stop(sub, 'SIGINT');
      if (second !== undefined) await stop(second);
    }
  });
});

describe('-d and --version', () => {
  let broker: CliChild;
  let url: string;
  beforeAll(async () => {
    ({ broker, url } = await startBrokerProcess());
  });
  afterAll(() => stop(broker));

  it('sub -d logs each SUBACK with the granted QoS, and ends with "disconnected"', async () => {
    const r = await run(['sub', '--url', url, '-t', uniqueTopic('a'), '-t', uniqueTopic('b'), '-q', '2', '-W', '1', '-d']);
    expect(r.code).toBe(27);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes(' SUBACK'))).toEqual([
      expect.stringMatching(/^rxmqtt sub: received SUBACK \(packet \d+\): granted QoS 2$/),
      expect.stringMatching(/^rxmqtt sub: received SUBACK \(packet \d+\): granted QoS 2$/),
    ]);
    expect(lines.at(-1)).toBe('rxmqtt sub: disconnected');
  });

  it('pub -d says what happened to each message in words', async () => {
    const topic = uniqueTopic('pub-d');
    const r = await run(['pub', '--url', url, '-t', topic, '-m', 'hello', '-q', '1', '-d']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`rxmqtt pub: message 1 to '${topic}' (5 bytes) delivered (QoS 1: PUBACK received)\n`);
    expect(r.stderr).toMatch(/rxmqtt pub: received PUBACK \(packet \d+\)\n/);
    expect(r.stderr).not.toMatch(/published 1/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('rxmqtt pub: disconnected');
  });

  it.each([['pub'], ['sub'], ['broker'], ['demo']])('%s --version prints the package version', async (command) => {
    expect(await run([command, '--version'])).toEqual({ code: 0, signal: null, stdout: `${version}\n`, stderr: '' });
  });
});

describe('rxmqtt demo wording', () => {
  it('says "1 reading" for a window with one reading', async () => {
    const r = await run(['demo', '--duration', '1', '--sensors', '1', '--interval', '1000', '--window', '100'], { timeoutMs: 30000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sensor-1 +avg +-?[\d.]+ °C {2}\(1 reading, /);
    expect(r.stdout).not.toMatch(/\(1 readings/);
  });
});

