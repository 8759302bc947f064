/**
 * The Node entry's connect: URL schemes resolved to the right transport, against local loopback
 * servers that decode the CONNECT and answer CONNACK (TCP with node:net, WebSocket with `ws`).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { ConnectPacket } from '../../lib/codec/packet.js';
import { InvalidArgumentError, TransportError } from '../../lib/errors.js';
import { connect, connectAsync } from '../../lib/node/connect.js';

/** Answers every CONNECT with an accepting CONNACK and reports the CONNECT. */
function answerConnect(write: (bytes: Uint8Array) => void, seen: (c: ConnectPacket) => void): (chunk: Uint8Array) => void {
  const decoder = new PacketDecoder();
  return (chunk) =>
    decoder.write(chunk, (packet) => {
      if (packet.type !== 'connect') return;
      seen(packet);
      write(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, { protocolVersion: packet.protocolVersion }));
    });
}

describe('connect (Node entry)', () => {
  let tcp: Server;
  let tcpPort: number;
  let wss: WebSocketServer;
  let wsPort: number;
  const connects: ConnectPacket[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    tcp = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      const onData = answerConnect((b) => socket.write(b), (c) => connects.push(c));
      socket.on('data', (chunk: Buffer) => onData(chunk));
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    tcpPort = (tcp.address() as { port: number }).port;
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mqtt' });
    wss.on('connection', (ws) => {
      const onData = answerConnect((b) => ws.send(b), (c) => connects.push(c));
      ws.on('message', (data: Buffer) => onData(new Uint8Array(data)));
    });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    wsPort = (wss.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => tcp.close(resolve));
    await new Promise((resolve) => wss.close(resolve));
  });

  it.each(['mqtt', 'tcp'])('%s:// connects over TCP, with the credentials from the URL', async (scheme) => {
    connects.length = 0;
    const client = await connectAsync(`${scheme}://al%40ce:s3cret@127.0.0.1:${tcpPort}`, { clientId: `tcp-${scheme}` });
    expect(connects).toHaveLength(1);
    expect(connects[0]).toMatchObject({ clientId: `tcp-${scheme}`, username: 'al@ce' });
    expect(new TextDecoder().decode(connects[0].password)).toBe('s3cret');
    await client.disconnect();
  });

  it('explicit username and password win over the URL', async () => {
    connects.length = 0;
    const client = await connectAsync(`mqtt://u:p@127.0.0.1:${tcpPort}`, { username: 'other', password: 'pw' });
    expect(connects[0].username).toBe('other');
    await client.disconnect();
  });

  it('ws:// connects through the ws package, loaded on demand', async () => {
    connects.length = 0;
    const client = await connectAsync(`ws://127.0.0.1:${wsPort}/mqtt`, { protocolVersion: 5, clientId: 'over-ws' });
    expect(connects[0]).toMatchObject({ clientId: 'over-ws', protocolVersion: 5 });
    await client.disconnect();
  });

  it('rejects with TransportError when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(connectAsync(`mqtt://127.0.0.1:${port}`)).rejects.toBeInstanceOf(TransportError);
  });

  it('throws InvalidArgumentError for a bad URL or an unknown scheme', () => {
    expect(() => connect('http://127.0.0.1')).toThrow(InvalidArgumentError);
    expect(() => connect('not a url')).toThrow(/url/);
    expect(() => connect({})).toThrow(/url/);
    expect(() => connect(`mqtt://127.0.0.1:${tcpPort}`, 5 as never)).toThrow(/options/);
  });
});

describe('QoS 0 backpressure over real TCP', () => {
  it('a publish loop waits for the socket to drain instead of filling memory while the broker does not read', async () => {
    const count = 512;
    const payload = new Uint8Array(64 * 1024).fill(7); // 32 MiB in all: more than the loopback kernel buffers hold
    let brokerSide: Socket | undefined;
    let received = 0;
    let allReceived!: () => void;
    const everything = new Promise<void>((resolve) => (allReceived = resolve));
    const server = createServer((socket) => {
      brokerSide = socket;
      const decoder = new PacketDecoder();
      socket.on('data', (chunk: Buffer) =>
        decoder.write(chunk, (packet) => {
          if (packet.type === 'connect') {
            socket.write(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, { protocolVersion: 4 }));
            socket.pause(); // the broker stops reading: the client's bytes pile up
          } else if (packet.type === 'publish' && packet.payload.length === payload.length && ++received === count) {
            allReceived();
          }
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    let clientSide: Socket | undefined;
    const { openSocketTransport } = await import('../../lib/node/socket-transport.js');
    const { connect: netConnect } = await import('node:net');
    const client = await connectAsync({
      reconnect: false,
      keepalive: 0,
      transport: () =>
        openSocketTransport({
          label: 'test',
          create: () => (clientSide = netConnect(port, '127.0.0.1')),
          readyEvent: 'connect',
          connectTimeout: 5000,
        }),
    });
    try {
      let waited = 0;
      let maxBuffered = 0;
      for (let i = 0; i < count; i++) {
        let completed = false;
        const done = new Promise<void>((resolve, reject) =>
          client.publish('bulk', payload).subscribe({ complete: () => ((completed = true), resolve()), error: reject }),
        );
        // Without backpressure a QoS 0 publish completes during subscribe; a pending one waits for 'drain'.
        if (!completed) {
          waited++;
          brokerSide?.resume();
        }
        await done;
        maxBuffered = Math.max(maxBuffered, clientSide?.writableLength ?? 0);
      }
      brokerSide?.resume();
      await everything;
      expect(received).toBe(count);
      expect(waited).toBeGreaterThan(0);
      // At each completion at most the high-water mark plus the one packet just written was buffered.
      expect(maxBuffered).toBeLessThanOrEqual(clientSide!.writableHighWaterMark + payload.length + 16);
    } finally {
      brokerSide?.destroy();
      await client.disconnect({ timeout: 0 });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30_000);
});
