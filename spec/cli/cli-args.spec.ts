/**
 * The built `rxmqtt` command: help texts, argument errors and unreachable brokers, run as a real
 * child process.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../helpers/mosquitto';
import { killAll, requireBuild, run } from './cli-process';

beforeAll(requireBuild);
afterEach(killAll);

describe('rxmqtt --help', () => {
  it('prints the top-level help on stdout and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: rxmqtt <command>/);
    for (const name of ['broker', 'pub', 'sub', 'demo']) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
    expect(r.stderr).toBe('');
  });

  it.each([
    ['pub', /^Usage: rxmqtt pub -t TOPIC/],
    ['sub', /^Usage: rxmqtt sub -t FILTER/],
    ['broker', /^Usage: rxmqtt broker/],
    ['demo', /^Usage: rxmqtt demo/],
  ])('prints the help of %s and exits 0', async (command, usage) => {
    const r = await run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(usage);
    expect(r.stdout).toContain('Options:');
    expect(r.stdout).toContain('--help');
    expect(r.stderr).toBe('');
  });

  it('prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(r.stdout).toBe(`${(require('../../package.json') as { version: string }).version}\n`);
  });
});

describe('bad arguments (more cases run in-process in pub-command, sub-command and demo-command specs)', () => {
  it.each([
    [[], /^rxmqtt: command: missing/],
    [['frobnicate'], /^rxmqtt: frobnicate: unknown command/],
    [['pub', '-m', 'x'], /^rxmqtt pub: -t\/--topic: missing/],
    [['pub', '-t', 'a', '-m', 'x', '-q', '3'], /^rxmqtt pub: -q\/--qos: expected 0, 1 or 2, got '3'/],
    [['pub', '-t', 'a', '-m', 'x', '--url', 'http://example.com'], /^rxmqtt pub: --url: unsupported scheme 'http:'/],
    [['pub', '-t', 'a', '-m', 'x', '--frob'], /^rxmqtt pub: --frob: unknown option/],
    [['sub'], /^rxmqtt sub: -t\/--topic: missing/],
    [['sub', '-t', 'a', '-q', '3'], /^rxmqtt sub: -q\/--qos: expected 0, 1 or 2, got '3'/],
    [['broker', '--port', '70000'], /^rxmqtt broker: -p\/--port: expected an integer from 0 to 65535/],
    [['demo', '--duration', 'soon'], /^rxmqtt demo: --duration: expected an integer from 1 to 600, got 'soon'/],
  ])('%j exits 2 with one line on stderr and nothing on stdout', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});

describe('unreachable broker', () => {
  it.each([['pub', '-t', 'a', '-m', 'x'], ['sub', '-t', 'a']])('%s exits 1 when the connection is refused', async (...args) => {
    const port = await freePort();
    const r = await run([...args, '-h', '127.0.0.1', '-p', String(port)], { timeoutMs: 10000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^rxmqtt ${args[0]}: cannot connect to mqtt://127\\.0\\.0\\.1:${port}: .+\\n$`));
    expect(r.stdout).toBe('');
  });

  describe('a server that accepts TCP but never answers CONNECT', () => {
    let server: Server;
    let port: number;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('makes sub give up after --connect-timeout with exit 1 instead of hanging', async () => {
      const r = await run(['sub', '-t', 'a', '--url', `mqtt://127.0.0.1:${port}`, '--connect-timeout', '1'], { timeoutMs: 10000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^rxmqtt sub: cannot connect to mqtt://127\\.0\\.0\\.1:${port}: .+\\n$`));
      expect(r.stdout).toBe('');
    });
  });
});
