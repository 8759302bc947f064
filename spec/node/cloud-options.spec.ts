/**
 * Transport options managed brokers need, against local stand-ins that record what the client
 * offered: TLS ALPN and SNI (AWS IoT Core's MQTT on port 443), WebSocket headers and subprotocols,
 * and a URL signed afresh before each connection attempt (presigned URLs expire).
 */
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { filter, firstValueFrom } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { connect, connectAsync } from '../../lib/node/index.js';
import { generateTlsFixtures, type TlsFixtures } from '../helpers/tls.js';

/** Answers each CONNECT with an accepting CONNACK. */
function answerConnect(write: (bytes: Uint8Array) => void): (chunk: Uint8Array) => void {
  const decoder = new PacketDecoder();
  return (chunk) =>
    decoder.write(chunk, (packet) => {
      if (packet.type === 'connect') write(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, { protocolVersion: packet.protocolVersion }));
    });
}

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});

describe('TLS ALPN and SNI', () => {
  let tls: TlsFixtures;
  let server: TlsServer;
  let port: number;
  const seen: { alpn: string | false | null; servername: string | false | undefined }[] = [];
  beforeAll(async () => {
    tls = generateTlsFixtures();
    server = createTlsServer({ key: tls.serverKey.pem, cert: tls.serverCert.pem, ALPNProtocols: ['x-amzn-mqtt-ca'] }, (socket: TLSSocket) => {
      seen.push({ alpn: socket.alpnProtocol, servername: (socket as TLSSocket & { servername?: string | false }).servername });
      const onData = answerConnect((b) => socket.write(b));
      socket.on('data', (chunk: Buffer) => onData(new Uint8Array(chunk)));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    tls.dispose();
  });

  it('offers the ALPN protocols and the SNI server name given', async () => {
    const client = await connectAsync(`mqtts://127.0.0.1:${port}`, {
      alpnProtocols: ['x-amzn-mqtt-ca'],
      servername: 'iot.example.com',
      ca: tls.ca.pem,
      rejectUnauthorized: false,
    });
    clients.push(client);
    expect(seen).toEqual([{ alpn: 'x-amzn-mqtt-ca', servername: 'iot.example.com' }]);
  });

  it('refuses ALPN protocols that are not an array of names', () => {
    expect(() => connect(`mqtts://127.0.0.1:${port}`, { alpnProtocols: 'x-amzn-mqtt-ca' as never })).toThrow(/alpnProtocols/);
  });
});

describe('WebSocket headers, subprotocols and signed URLs', () => {
  let wss: WebSocketServer;
  let port: number;
  const upgrades: { url: string | undefined; authorization: string | undefined; offered: string | undefined; chosen: string }[] = [];
  const sockets: WebSocket[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
    wss.on('connection', (ws, req: IncomingMessage) => {
      sockets.push(ws);
      upgrades.push({ url: req.url, authorization: req.headers.authorization, offered: req.headers['sec-websocket-protocol'] as string | undefined, chosen: ws.protocol });
      const onData = answerConnect((b) => ws.send(b));
      ws.on('message', (data: Buffer) => onData(new Uint8Array(data)));
    });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    port = (wss.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => wss.close(resolve));
  });

  it('sends the headers and offers the subprotocols given on the upgrade', async () => {
    upgrades.length = 0;
    const client = await connectAsync(`ws://127.0.0.1:${port}/mqtt`, { wsHeaders: { Authorization: 'Bearer t0ken' }, wsProtocols: ['mqtt', 'mqttv3.1'] });
    clients.push(client);
    expect(upgrades).toEqual([{ url: '/mqtt', authorization: 'Bearer t0ken', offered: 'mqtt,mqttv3.1', chosen: 'mqtt' }]);
  });

  it('signUrl: each attempt opens a freshly signed URL, with the attempt number', async () => {
    upgrades.length = 0;
    const calls: [string, number][] = [];
    const client = await connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
      signUrl: async (url, attempt) => {
        calls.push([url, attempt]);
        return `${url}?X-Signature=sig${attempt}`;
      },
      reconnect: { minDelay: 1, maxDelay: 1 },
    });
    clients.push(client);
    sockets[sockets.length - 1]?.terminate(); // the connection drops: the reconnect signs again
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'reconnecting')));
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'connected')));
    expect(calls).toEqual([
      [`ws://127.0.0.1:${port}/mqtt`, 1],
      [`ws://127.0.0.1:${port}/mqtt`, 2],
    ]);
    expect(upgrades.map((u) => u.url)).toEqual(['/mqtt?X-Signature=sig1', '/mqtt?X-Signature=sig2']);
  });

  it('signUrl that rejects fails the attempt with SIGN_URL_FAILED; an invalid URL with InvalidArgumentError', async () => {
    await expect(connectAsync(`ws://127.0.0.1:${port}/mqtt`, { signUrl: () => Promise.reject(new Error('no credentials')), reconnect: false })).rejects.toMatchObject({
      code: 'SIGN_URL_FAILED',
      message: 'signUrl failed: no credentials',
    });
    await expect(connectAsync(`ws://127.0.0.1:${port}/mqtt`, { signUrl: () => 'not a url', reconnect: false })).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      argument: 'signUrl',
    });
    expect(() => connect(`ws://127.0.0.1:${port}/mqtt`, { signUrl: 'x' as never })).toThrow(/signUrl/);
  });

  it('refuses wsHeaders that are not an object of strings', () => {
    expect(() => connect(`ws://127.0.0.1:${port}/mqtt`, { wsHeaders: { a: 1 } as never })).toThrow(/wsHeaders/);
  });
});
