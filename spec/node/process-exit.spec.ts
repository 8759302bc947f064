/**
 * A finished client must not keep Node running: after a failed connect, after disconnect(), after
 * a final failure and after the server destroyed the socket (reconnect off), nothing the client
 * opened holds the event loop. Each case runs the compiled library in a child process against a
 * scripted TCP server that never closes its side first, and the child reports the handles still
 * active once the client has settled.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { assertDistBuilt, distFolder } from '../helpers/child-client';

type Mode = 'silent' | 'connack-then-hold' | 'connack-then-garbage' | 'connack-then-destroy';

const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

/**
 * A server that keeps its half of every connection open (allowHalfOpen), so only the client can end it:
 * `silent` never reads nor answers; `connack-then-hold` answers CONNECT with CONNACK and then ignores
 * everything; `connack-then-garbage` follows the CONNACK with a malformed packet; `connack-then-destroy`
 * answers and destroys the socket at once.
 */
async function scriptedServer(mode: Mode): Promise<{ server: Server; port: number; sockets: Socket[]; afterConnect: Promise<Buffer> }> {
  const sockets: Socket[] = [];
  let receivedAfterConnect!: (bytes: Buffer) => void;
  const afterConnect = new Promise<Buffer>((resolve) => (receivedAfterConnect = resolve));
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: mode === 'silent' }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    if (mode === 'silent') return;
    // What the client sends after its CONNECT, up to its end of the stream.
    const rest: Buffer[] = [];
    let first = true;
    socket.on('data', (d: Buffer) => (first ? (first = false) : rest.push(d)));
    socket.on('end', () => receivedAfterConnect(Buffer.concat(rest)));
    socket.once('data', () => {
      socket.write(CONNACK);
      // Packet type 15 with flags 0 (AUTH) is malformed in MQTT 3.1.1: a final failure for the client.
      if (mode === 'connack-then-garbage') socket.write(Buffer.from([0xf0, 0x00]));
      if (mode === 'connack-then-destroy') socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets, afterConnect };
}

/** The child: connects with reconnect off, does `action`, then prints what still holds the loop. */
const CHILD = `
const { connectAsync } = require(process.env.RXMQTT_NODE);
const [url, action] = process.argv.slice(1);
// Node itself opens the stdio handles on demand (net.Socket's destroy looks at process.stderr), so
// open them now and count only what is active beyond them.
void process.stdout, process.stderr;
const baseline = process.getActiveResourcesInfo();
const active = () => {
  const left = [...baseline];
  return process.getActiveResourcesInfo().filter((name) => {
    const k = left.indexOf(name);
    if (k < 0) return true;
    left.splice(k, 1);
    return false;
  });
};
// fs.writeSync: the report itself leaves no pending write behind.
const report = (outcome) => setImmediate(() => require('node:fs').writeSync(1, JSON.stringify({ outcome, active: active() }) + '\\n'));
(async () => {
  let client;
  try {
    client = await connectAsync(url, { connectTimeout: 300, reconnect: false, keepalive: 0 });
  } catch (error) {
    return report('rejected ' + error.code);
  }
  if (action === 'disconnect') {
    await client.disconnect({ timeout: 100 });
    return report('disconnected');
  }
  client.state$.subscribe({ complete: () => report('closed') });
})();
`;

function runChild(url: string, action: 'disconnect' | 'wait'): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const child = spawn(process.execPath, ['-e', CHILD, url, action], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RXMQTT_NODE: `${distFolder}/node/index.js` },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // No timing bound of our own: a child kept alive by a handle fails the test through Jest's timeout.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, lines: out.split('\n').filter((l) => l !== ''), stderr: err })));
}

beforeAll(assertDistBuilt);

describe('a settled client lets the process exit', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  const start = async (mode: Mode): Promise<{ url: string; sockets: Socket[]; afterConnect: Promise<Buffer> }> => {
    const { server, port, sockets, afterConnect } = await scriptedServer(mode);
    servers.push(server);
    return { url: `mqtt://127.0.0.1:${port}`, sockets, afterConnect };
  };

  it('after a connect that timed out, even though the server never reads', async () => {
    const { url, sockets } = await start('silent');
    const result = await runChild(url, 'wait');
    expect(result.stderr).toBe('');
    expect(result.lines.map((l) => JSON.parse(l))).toEqual([{ outcome: 'rejected CONNECT_TIMEOUT', active: [] }]);
    expect(result.code).toBe(0);
    sockets.forEach((s) => s.destroy());
  });

  it('after disconnect(), even though the server never closes its side, and the DISCONNECT still goes out', async () => {
    const { url, sockets, afterConnect } = await start('connack-then-hold');
    const result = await runChild(url, 'disconnect');
    // After the CONNECT comes DISCONNECT (0xe0 0x00), then the end of the stream.
    expect([...(await afterConnect)]).toEqual([0xe0, 0x00]);
    expect(result.stderr).toBe('');
    expect(result.lines.map((l) => JSON.parse(l))).toEqual([{ outcome: 'disconnected', active: [] }]);
    expect(result.code).toBe(0);
    sockets.forEach((s) => s.destroy());
  });

  it('after a final failure (malformed bytes from the server) with reconnect off', async () => {
    const { url, sockets } = await start('connack-then-garbage');
    const result = await runChild(url, 'wait');
    expect(result.stderr).toBe('');
    expect(result.lines.map((l) => JSON.parse(l))).toEqual([{ outcome: 'closed', active: [] }]);
    expect(result.code).toBe(0);
    sockets.forEach((s) => s.destroy());
  });

  it('after the server destroyed the connection with reconnect off', async () => {
    const { url } = await start('connack-then-destroy');
    const result = await runChild(url, 'wait');
    expect(result.stderr).toBe('');
    expect(result.lines.map((l) => JSON.parse(l))).toEqual([{ outcome: 'closed', active: [] }]);
    expect(result.code).toBe(0);
  });
});
