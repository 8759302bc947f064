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
