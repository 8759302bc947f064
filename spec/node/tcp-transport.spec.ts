import { firstValueFrom } from 'rxjs';
import { InvalidArgumentError, TransportError } from '../../lib/errors.js';
import { tcpTransport } from '../../lib/node/tcp-transport.js';
import type { Transport } from '../../lib/transport/transport.js';
import { describeWithMosquitto, freePort, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { readAllChunks, readBytes } from '../transport/read-bytes.js';
import { CONNACK_311_ACCEPTED, CONNECT_311, CONNECT_5, DISCONNECT, splitPackets } from '../transport/mqtt-fixtures.js';
import { useAcceptingServer } from '../helpers/accepting-server.js';

describeWithMosquitto('tcpTransport against Mosquitto', () => {
  let mosquitto: MosquittoInstance;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
  });
  afterAll(async () => {
    await mosquitto?.dispose();
  });

  it('opens a connection that carries CONNECT and CONNACK', async () => {
    const transport = await firstValueFrom(tcpTransport({ host: mosquitto.host, port: mosquitto.port })());
    const connack = readBytes(transport, 4);
    transport.send(CONNECT_311);
    expect(Array.from(await connack)).toEqual(CONNACK_311_ACCEPTED);
    const rest = readAllChunks(transport);
    transport.close();
    await expect(rest).resolves.toEqual([]);
  });

  it('carries an MQTT 5.0 CONNECT and its CONNACK', async () => {
    const transport = await firstValueFrom(tcpTransport({ host: mosquitto.host, port: mosquitto.port })());
    const all = readAllChunks(transport);
    transport.send(CONNECT_5);
    transport.send(DISCONNECT); // remaining length 0: reason code 0x00, normal disconnection (spec 3.14.2.1)
    const { packets, rest } = splitPackets(Buffer.concat(await all));
    expect(rest.length).toBe(0);
    expect(packets).toHaveLength(1);
    const connack = packets[0]!;
    expect(connack[0]).toBe(0x20); // CONNACK
    expect(connack[2]).toBe(0x00); // acknowledge flags: no session present
    expect(connack[3]).toBe(0x00); // reason code 0x00 Success
    // Then the property length, which covers exactly the rest of the packet.
    expect(connack[4]).toBe(connack.length - 5);
  });

  it('completes incoming when the broker closes the connection in an orderly way', async () => {
    const transport = await firstValueFrom(tcpTransport({ host: mosquitto.host, port: mosquitto.port })());
    const connack = readBytes(transport, 4);
    const all = readAllChunks(transport);
    transport.send(CONNECT_311);
    await connack;
    transport.send(DISCONNECT); // the broker closes the network connection [MQTT-3.14.4-1]
    const chunks = await all;
    expect(Array.from(Buffer.concat(chunks))).toEqual(CONNACK_311_ACCEPTED);
  });

  it('send after close is a no-op', async () => {
    const transport = await firstValueFrom(tcpTransport({ host: mosquitto.host, port: mosquitto.port })());
    const all = readAllChunks(transport);
    transport.close();
    expect(() => transport.send(CONNECT_311)).not.toThrow();
    await expect(all).resolves.toEqual([]);
  });
});

describe('tcpTransport', () => {
  it('fails with a TransportError naming host, port and ECONNREFUSED on a closed port', async () => {
    const port = await freePort();
    const error = await firstValueFrom(tcpTransport({ host: '127.0.0.1', port })()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    const message = (error as TransportError).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toContain('ECONNREFUSED');
    expect(((error as TransportError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  describe('with a local server', () => {
    const local = useAcceptingServer();

    it('is cold: nothing connects until subscribed, each subscription connects anew', async () => {
      const factory = tcpTransport({ host: '127.0.0.1', port: local.port });
      const before = local.accepted.length;
      const connections = new Promise<void>((resolve) => {
        const onConnection = (): void => {
          if (local.accepted.length >= before + 2) {
            local.server.off('connection', onConnection);
            resolve();
          }
        };
        local.server.on('connection', onConnection);
      });
      expect(local.accepted.length).toBe(before);
      const [a, b]: Transport[] = await Promise.all([firstValueFrom(factory()), firstValueFrom(factory())]);
      await connections;
      expect(a).not.toBe(b);
      a.close();
      b.close();
    });

    it('delivers bytes both ways and errors incoming when the peer resets', async () => {
      const serverSide = local.nextConnection();
      const transport = await firstValueFrom(tcpTransport({ host: '127.0.0.1', port: local.port })());
      const peer = await serverSide;
      const received = new Promise<Buffer>((resolve) => peer.once('data', resolve));
      transport.send(Uint8Array.of(1, 2, 3));
      expect(Array.from(await received)).toEqual([1, 2, 3]);
      const ended = readAllChunks(transport);
      peer.resetAndDestroy();
      const error = await ended.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).message).toContain('ECONNRESET');
    });
  });

  it('rejects a bad host, port or timeout with InvalidArgumentError', () => {
    expect(() => tcpTransport({ host: '', port: 1883 })).toThrow(InvalidArgumentError);
    expect(() => tcpTransport({ host: 'localhost', port: 0 })).toThrow(/port: expected an integer from 1 to 65535, got 0/);
    expect(() => tcpTransport({ host: 'localhost', port: 70000 })).toThrow(/port/);
    expect(() => tcpTransport({ host: 'localhost', port: 1.5 })).toThrow(/port/);
    expect(() => tcpTransport({ host: 'localhost', port: 1883, connectTimeout: -5 })).toThrow(/connectTimeout/);
    expect(() => tcpTransport(undefined as never)).toThrow(/options/);
  });
});
