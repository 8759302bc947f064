import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { createServer, type Server, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { InvalidArgumentError, TransportError } from '../../lib/errors.js';
import { tcpTransport } from '../../lib/node/tcp-transport.js';
import type { Transport } from '../../lib/transport/transport.js';
import { webSocketTransport } from '../../lib/transport/web-socket-transport.js';
import { describeWithMosquitto, freePort, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import {
  CONNACK_311_ACCEPTED,
  CONNECT_311,
  DISCONNECT,
  SUBACK_311_QOS0,
  publish311,
  readPublish311,
  splitPackets,
  subscribe311,
} from './mqtt-fixtures.js';
import { concat, readAllChunks, readBytes, readChunksUntil } from './read-bytes.js';

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

describeWithMosquitto('webSocketTransport against Mosquitto', () => {
  let mosquitto: MosquittoInstance;
  let url: string;
  beforeAll(async () => {
    mosquitto = await startMosquitto({ websockets: true });
    url = `${mosquitto.wsUrl!}/mqtt`;
  });
  afterAll(async () => {
    await mosquitto?.dispose();
  });

  const open = (): Promise<Transport> => firstValueFrom(webSocketTransport({ url, WebSocket })());

  it('carries CONNECT and CONNACK', async () => {
    const transport = await open();
    const connack = readBytes(transport, 4);
    transport.send(CONNECT_311);
    expect(Array.from(await connack)).toEqual(CONNACK_311_ACCEPTED);
    const rest = readAllChunks(transport);
    transport.close();
    await expect(rest).resolves.toEqual([]);
  });

  it('completes incoming when the broker closes after DISCONNECT', async () => {
    const transport = await open();
    const connack = readBytes(transport, 4);
    const all = readAllChunks(transport);
    transport.send(CONNECT_311);
    await connack;
    transport.send(DISCONNECT); // the server closes the connection [MQTT-3.14.4-1]
    expect(Array.from(concat(await all))).toEqual(CONNACK_311_ACCEPTED);
  });

  it('delivers a stream of retained messages of several sizes intact, packets in any framing', async () => {
    // Store retained messages through TCP first; the broker has stored them once it has closed
    // the publisher's connection after its DISCONNECT.
    const messages = new Map<string, Uint8Array>();
    // (An empty retained payload would delete instead of store [MQTT-3.3.1-10].)
    for (const size of [1, 100, 200, 5000, 20000]) {
      messages.set(`ws-retained/${size}`, Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff));
    }
    const publisher = await firstValueFrom(tcpTransport({ host: mosquitto.host, port: mosquitto.port })());
    const published = readAllChunks(publisher);
    publisher.send(CONNECT_311);
    for (const [topic, payload] of messages) publisher.send(publish311(topic, payload, true));
    publisher.send(DISCONNECT);
    expect(Array.from(concat(await published))).toEqual(CONNACK_311_ACCEPTED);

    const subscriber = await open();
    const expectedLength =
      CONNACK_311_ACCEPTED.length + SUBACK_311_QOS0.length + [...messages].reduce((n, [t, p]) => n + publish311(t, p, true).length, 0);
    const chunks = readChunksUntil(subscriber, (all) => all.length >= expectedLength);
    // Sent in the same tick, CONNECT and SUBSCRIBE travel in one WebSocket frame [MQTT-6.0.0-2].
    subscriber.send(CONNECT_311);
    subscriber.send(subscribe311('ws-retained/#'));
    const stream = concat(await chunks);
    subscriber.close();

    const { packets, rest } = splitPackets(stream);
    expect(rest.length).toBe(0);
    expect(Array.from(packets[0]!)).toEqual(CONNACK_311_ACCEPTED);
    expect(Array.from(packets[1]!)).toEqual(SUBACK_311_QOS0);
    const received = new Map(packets.slice(2).map((p) => {
      const { topic, payload, retain } = readPublish311(p);
      expect(retain).toBe(true);
      return [topic, Array.from(payload)] as const;
    }));
    expect(received).toEqual(new Map([...messages].map(([t, p]) => [t, Array.from(p)])));
  });

  it('carries an MQTT 5.0 exchange encoded and decoded by the codec, QoS 1 both ways', async () => {
    /** Collects the packets decoded from a transport until `count` have arrived. */
    const collect = (transport: Transport, count: number): Promise<Packet[]> => {
      const decoder = new PacketDecoder({ protocolVersion: 5 });
      const packets: Packet[] = [];
      return new Promise((resolve, reject) => {
        const subscription = transport.incoming.subscribe({
          next: (chunk) => {
            decoder.write(chunk, (packet) => packets.push(packet));
            if (packets.length >= count) {
              subscription.unsubscribe();
              resolve(packets);
            }
          },
          error: reject,
          complete: () => reject(new Error(`closed after ${packets.length} of ${count} packets`)),
        });
      });
    };
    const send = (transport: Transport, packet: Packet): void => void transport.send(encode(packet, { protocolVersion: 5 }));
    const connect = (clientId: string): Packet => ({ type: 'connect', protocolVersion: 5, clientId, cleanStart: true, keepAlive: 60 });
    const count = 40;
    const payloads = Array.from({ length: count }, (_, i) => Uint8Array.from({ length: i * 97 }, (_, j) => (i + j) & 0xff));

    const subscriber = await open();
    const subscribed = collect(subscriber, 2);
    send(subscriber, connect('rxmqtt-ws5-sub'));
    send(subscriber, { type: 'subscribe', packetId: 7, subscriptions: [{ topicFilter: 'ws5/data', qos: 1 }] });
    const [connack, suback] = await subscribed;
    expect(connack).toMatchObject({ type: 'connack', reasonCode: 0 });
    expect(suback).toMatchObject({ type: 'suback', packetId: 7, reasonCodes: [1] });

    const deliveries = collect(subscriber, count);
    const publisher = await firstValueFrom(tcpTransport({ host: mosquitto.host, port: mosquitto.port })());
    const acks = collect(publisher, 1 + count);
    send(publisher, connect('rxmqtt-ws5-pub'));
    payloads.forEach((payload, i) => send(publisher, { type: 'publish', topic: 'ws5/data', payload, qos: 1, retain: false, dup: false, packetId: i + 1 }));
    const published = await acks;
    expect(published.slice(1).map((p) => p.type === 'puback' && p.packetId)).toEqual(payloads.map((_, i) => i + 1));

    const received = (await deliveries) as PublishPacket[];
    // Messages from one publisher on one topic keep their order [MQTT-4.6.0-6].
    expect(received.map((p) => Array.from(p.payload))).toEqual(payloads.map((p) => Array.from(p)));
    expect(received.every((p) => p.type === 'publish' && p.qos === 1 && p.packetId !== undefined)).toBe(true);
    for (const p of received) send(subscriber, { type: 'puback', packetId: p.packetId! });
    for (const transport of [publisher, subscriber]) {
      const closed = readAllChunks(transport);
      send(transport, { type: 'disconnect', reasonCode: 0 });
      await closed; // the broker closes after DISCONNECT
    }
  });

  it('fails with a TransportError naming the URL and cause on a closed port', async () => {
    const port = await freePort();
    const error = await failure(firstValueFrom(webSocketTransport({ url: `ws://127.0.0.1:${port}/mqtt`, WebSocket })()));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toContain(`ws://127.0.0.1:${port}/mqtt`);
    expect((error as TransportError).message).toContain('ECONNREFUSED');
  });
});

describe('webSocketTransport with a local WebSocket server', () => {
  let server: WebSocketServer;
  let url: string;
  let onConnection: (socket: WebSocket, request: IncomingMessage) => void = () => undefined;
  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('mqtt') ? 'mqtt' : false) });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/mqtt`;
    server.on('connection', (socket, request) => onConnection(socket, request));
  });
  afterAll(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Opens a transport and resolves with it and the server's end. */
  async function connectPair(options: { headers?: Record<string, string> } = {}): Promise<{ transport: Transport; peer: WebSocket; request: IncomingMessage }> {
    const accepted = new Promise<{ peer: WebSocket; request: IncomingMessage }>((resolve) => {
      onConnection = (peer, request) => resolve({ peer, request });
    });
    const transport = await firstValueFrom(webSocketTransport({ url, WebSocket, ...options })());
    return { transport, ...(await accepted) };
  }

  it('offers the mqtt subprotocol and sends binary frames, one per tick', async () => {
    const { transport, peer, request } = await connectPair();
    expect(request.headers['sec-websocket-protocol']).toBe('mqtt');
    expect(peer.protocol).toBe('mqtt');
    const frames = new Promise<Array<{ data: number[]; binary: boolean }>>((resolve) => {
      const seen: Array<{ data: number[]; binary: boolean }> = [];
      peer.on('message', (data: RawData, binary: boolean) => {
        seen.push({ data: Array.from(data as Buffer), binary });
        if (seen.length === 2) resolve(seen);
      });
    });
    transport.send(Uint8Array.of(0xc0, 0x00));
    transport.send(Uint8Array.of(0xc0, 0x00));
    await Promise.resolve().then(() => transport.send(Uint8Array.of(0xe0, 0x00)));
    expect(await frames).toEqual([
      { data: [0xc0, 0x00, 0xc0, 0x00], binary: true },
      { data: [0xe0, 0x00], binary: true },
    ]);
    transport.close();
  });

  it('emits each frame as it is: two packets in one frame, a packet split over two frames', async () => {
    const { transport, peer } = await connectPair();
    const chunks = lastValueFrom(transport.incoming.pipe(toArray()));
    peer.send(Uint8Array.of(0x20, 0x02, 0x00, 0x00, 0xd0, 0x00)); // CONNACK + PINGRESP
    peer.send(Uint8Array.of(0x30, 0x05, 0x00, 0x01)); // first half of a PUBLISH
    peer.send(Uint8Array.of(0x74, 0x68, 0x69)); // second half: topic "t", payload "hi"
    peer.close(1000);
    expect((await chunks).map((c) => Array.from(c))).toEqual([
      [0x20, 0x02, 0x00, 0x00, 0xd0, 0x00],
      [0x30, 0x05, 0x00, 0x01],
      [0x74, 0x68, 0x69],
    ]);
  });

  it('sends the given headers with the opening handshake', async () => {
    const { transport, request } = await connectPair({ headers: { authorization: 'Bearer token-1' } });
    expect(request.headers.authorization).toBe('Bearer token-1');
    transport.close();
  });

  it('fails the connection on a text frame [MQTT-6.0.0-1]', async () => {
    const { transport, peer } = await connectPair();
    const peerClosed = new Promise<number>((resolve) => peer.once('close', (code) => resolve(code)));
    const error = failure(readAllChunks(transport));
    peer.send('not binary');
    const e = await error;
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).message).toContain('non-binary WebSocket frame [MQTT-6.0.0-1]');
    expect(await peerClosed).toBe(1002);
  });

  it('errors incoming when the peer closes with a failure code', async () => {
    const { transport, peer } = await connectPair();
    const error = failure(readAllChunks(transport));
    peer.close(1011, 'server exploded');
    const e = await error;
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).message).toContain('closed with code 1011 (server exploded)');
  });

  it('close() completes incoming and closes the server end with 1000', async () => {
    const { transport, peer } = await connectPair();
    const peerClosed = new Promise<number>((resolve) => peer.once('close', (code) => resolve(code)));
    const all = readAllChunks(transport);
    transport.close();
    transport.send(Uint8Array.of(0xc0, 0x00)); // ignored after close
    await expect(all).resolves.toEqual([]);
    expect(await peerClosed).toBe(1000);
  });

  it('fails when the server does not select mqtt', async () => {
    const other = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'something-else' });
    await new Promise<void>((resolve) => other.once('listening', () => resolve()));
    const otherUrl = `ws://127.0.0.1:${(other.address() as { port: number }).port}/`;
    try {
      const error = await failure(firstValueFrom(webSocketTransport({ url: otherUrl, WebSocket })()));
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).message).toContain(otherUrl);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('uses globalThis.WebSocket when none is injected', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    Object.defineProperty(globalThis, 'WebSocket', { value: WebSocket, configurable: true, writable: true });
    try {
      const accepted = new Promise<WebSocket>((resolve) => (onConnection = resolve));
      const transport = await firstValueFrom(webSocketTransport({ url })());
      await accepted;
      transport.close();
    } finally {
      if (saved) Object.defineProperty(globalThis, 'WebSocket', saved);
      else delete (globalThis as { WebSocket?: unknown }).WebSocket;
    }
  });
});

describe('webSocketTransport opening', () => {
  let silent: Server;
  let url: string;
  const accepted: Socket[] = [];
  beforeAll(async () => {
    // Accepts TCP and never answers the HTTP upgrade.
    silent = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}/mqtt`;
  });
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails with TRANSPORT_TIMEOUT when the upgrade does not complete in connectTimeout', async () => {
    const error = await failure(firstValueFrom(webSocketTransport({ url, WebSocket, connectTimeout: 100 })()));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('TRANSPORT_TIMEOUT');
    expect((error as TransportError).message).toContain(`${url} timed out after 100 ms`);
  });

  it('unsubscribing before open closes the connection without emitting', async () => {
    const serverSide = new Promise<Socket>((resolve) => silent.once('connection', resolve));
    const next = jest.fn();
    const error = jest.fn();
    const subscription = webSocketTransport({ url, WebSocket })().subscribe({ next, error });
    const peer = await serverSide;
    const peerClosed = new Promise<void>((resolve) => peer.once('close', () => resolve()));
    subscription.unsubscribe();
    await peerClosed;
    expect(next).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('rejects bad options with InvalidArgumentError', () => {
    expect(() => webSocketTransport({ url: 'not a url', WebSocket })).toThrow(/url: not a valid URL/);
    expect(() => webSocketTransport({ url: 'http://127.0.0.1/mqtt', WebSocket })).toThrow(/url: expected a ws: or wss: URL, got http:/);
    expect(() => webSocketTransport({ url, WebSocket, protocols: ['mqttv3.1'] })).toThrow(/protocols: must include 'mqtt'.*MQTT-6.0.0-3/);
    expect(() => webSocketTransport({ url, WebSocket, connectTimeout: 0 })).toThrow(InvalidArgumentError);
  });

  it('says to pass a WebSocket constructor when the platform has none', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      expect(() => webSocketTransport({ url })).toThrow(/WebSocket: no WebSocket constructor on this platform: pass one.*'ws'/);
      expect(() => webSocketTransport({ url, headers: { a: 'b' } })).toThrow(InvalidArgumentError);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'WebSocket', saved);
    }
  });
});

describe('webSocketTransport backpressure', () => {
  /** A WebSocket stand-in that opens at once and keeps what it was given as bufferedAmount until drained. */
  class BufferingSocket {
    static last: BufferingSocket | undefined;
    binaryType = 'blob';
    readyState = 0;
    bufferedAmount = 0;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: unknown) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    onclose: ((event: unknown) => void) | null = null;
    constructor() {
      BufferingSocket.last = this;
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.({});
      });
    }
    send(data: Uint8Array): void {
      this.bufferedAmount += data.length;
    }
    close(): void {
      this.readyState = 3;
      this.onclose?.({ code: 1000 });
    }
  }

  it('returns false from send above the high-water mark and emits writable$ once bufferedAmount went down', async () => {
    const transport = await firstValueFrom(webSocketTransport({ url: 'ws://127.0.0.1:1/mqtt', WebSocket: BufferingSocket as never })());
    const socket = BufferingSocket.last!;
    expect(transport.send(new Uint8Array(1024))).toBe(true);
    expect(transport.send(new Uint8Array(64 * 1024))).toBe(false); // 65 KiB waiting: above 64 KiB
    let drained = false;
    const writable = firstValueFrom(transport.writable$!).then(() => (drained = true));
    await Promise.resolve(); // the batched frame reaches the socket
    expect(socket.bufferedAmount).toBe(65 * 1024);
    expect(drained).toBe(false);
    socket.bufferedAmount = 0; // the platform transmitted it
    await writable;
    expect(transport.send(new Uint8Array(10))).toBe(true);
    transport.close();
  });
});
