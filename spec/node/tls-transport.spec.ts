import { firstValueFrom } from 'rxjs';
import { InvalidArgumentError, TransportError } from '../../lib/errors.js';
import { tlsTransport, type TlsTransportOptions } from '../../lib/node/tls-transport.js';
import type { Transport } from '../../lib/transport/transport.js';
import { describeWithMosquitto, freePort, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { generateTlsFixtures, type TlsFixtures } from '../helpers/tls.js';
import { readAllChunks, readBytes } from '../transport/read-bytes.js';
import { CONNACK_311_ACCEPTED, CONNECT_311 } from '../transport/mqtt-fixtures.js';
import { useAcceptingServer } from '../helpers/accepting-server.js';

/** Opens, sends CONNECT and resolves with the first 4 bytes of the answer. */
async function connack(transport: Transport): Promise<number[]> {
  const answer = readBytes(transport, 4);
  transport.send(CONNECT_311);
  const bytes = Array.from(await answer);
  const closed = readAllChunks(transport);
  transport.close();
  await closed;
  return bytes;
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

describeWithMosquitto('tlsTransport against Mosquitto', () => {
  let tls: TlsFixtures;
  let mosquitto: MosquittoInstance;
  let port: number;
  const open = (options: Omit<TlsTransportOptions, 'port'>): Promise<Transport> =>
    firstValueFrom(tlsTransport({ port, ...options })());

  beforeAll(async () => {
    tls = generateTlsFixtures();
    mosquitto = await startMosquitto({ tls: { cafile: tls.ca.path, certfile: tls.serverCert.path, keyfile: tls.serverKey.path } });
    port = mosquitto.tlsPort!;
  });
  afterAll(async () => {
    await mosquitto?.dispose();
    tls?.dispose();
  });

  it('connects with the right CA to 127.0.0.1 (IP subjectAltName) and gets CONNACK', async () => {
    expect(await connack(await open({ host: '127.0.0.1', ca: tls.ca.pem }))).toEqual(CONNACK_311_ACCEPTED);
  });

  it('connects by name: servername defaults to the host (DNS subjectAltName localhost)', async () => {
    expect(await connack(await open({ host: 'localhost', ca: tls.ca.pem }))).toEqual(CONNACK_311_ACCEPTED);
  });

  it('accepts the CA as bytes', async () => {
    expect(await connack(await open({ host: '127.0.0.1', ca: new TextEncoder().encode(tls.ca.pem) }))).toEqual(CONNACK_311_ACCEPTED);
  });

  it('refuses a broker whose certificate the CA did not sign, with a TransportError naming the certificate problem', async () => {
    const error = await failure(open({ host: '127.0.0.1', ca: tls.otherCa.pem }));
    expect(error).toBeInstanceOf(TransportError);
    const message = (error as TransportError).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toMatch(/TLS certificate problem: [A-Z_]+: .*certificate/);
  });

  it('verifies by default: without a CA the self-made CA is not trusted', async () => {
    const error = await failure(open({ host: '127.0.0.1' }));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toMatch(/TLS certificate problem/);
  });

  it('refuses a certificate issued for another name', async () => {
    const error = await failure(open({ host: '127.0.0.1', ca: tls.ca.pem, servername: 'broker.example.com' }));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toMatch(/TLS certificate problem: ERR_TLS_CERT_ALTNAME_INVALID: .*broker\.example\.com/);
  });

  it('connects with the wrong CA when rejectUnauthorized is false', async () => {
    expect(await connack(await open({ host: '127.0.0.1', ca: tls.otherCa.pem, rejectUnauthorized: false }))).toEqual(CONNACK_311_ACCEPTED);
  });

  describe('with a broker that requires a client certificate', () => {
    let strict: MosquittoInstance;
    beforeAll(async () => {
      strict = await startMosquitto({
        tls: { cafile: tls.ca.path, certfile: tls.serverCert.path, keyfile: tls.serverKey.path, requireCertificate: true },
      });
    });
    afterAll(async () => {
      await strict?.dispose();
    });

    it('connects with a client certificate signed by the CA', async () => {
      const transport = await firstValueFrom(
        tlsTransport({ host: '127.0.0.1', port: strict.tlsPort!, ca: tls.ca.pem, cert: tls.clientCert.pem, key: tls.clientKey.pem })(),
      );
      expect(await connack(transport)).toEqual(CONNACK_311_ACCEPTED);
    });

    it('is refused without one: the open or the connection fails with a TransportError', async () => {
      // With TLS 1.3 the client finishes its handshake before the server checks the client
      // certificate, so the refusal may arrive on `incoming` instead of failing the open.
      const error = await failure(
        (async () => {
          const transport = await firstValueFrom(tlsTransport({ host: '127.0.0.1', port: strict.tlsPort!, ca: tls.ca.pem })());
          const chunks = readAllChunks(transport);
          transport.send(CONNECT_311);
          await chunks;
        })(),
      );
      expect(error).toBeInstanceOf(TransportError);
    });
  });
});

describe('tlsTransport', () => {
  // A TCP server that accepts and never answers the TLS handshake.
  const local = useAcceptingServer();

  it('fails with TRANSPORT_TIMEOUT when the handshake does not complete in connectTimeout', async () => {
    const error = await failure(firstValueFrom(tlsTransport({ host: '127.0.0.1', port: local.port, connectTimeout: 100 })()));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('TRANSPORT_TIMEOUT');
    expect((error as TransportError).message).toContain(`TLS connection to 127.0.0.1:${local.port} timed out after 100 ms`);
  });

  it('unsubscribing before the handshake completes closes the socket', async () => {
    const serverSide = local.nextConnection();
    const next = jest.fn();
    const error = jest.fn();
    const subscription = tlsTransport({ host: '127.0.0.1', port: local.port })().subscribe({ next, error });
    const peer = await serverSide;
    const peerClosed = new Promise<void>((resolve) => peer.once('close', () => resolve()));
    subscription.unsubscribe();
    await peerClosed;
    expect(next).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('fails with ECONNREFUSED on a closed port', async () => {
    const closedPort = await freePort();
    const error = await failure(firstValueFrom(tlsTransport({ host: '127.0.0.1', port: closedPort })()));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toContain(`127.0.0.1:${closedPort}`);
    expect((error as TransportError).message).toContain('ECONNREFUSED');
  });

  it('rejects bad options with InvalidArgumentError', () => {
    expect(() => tlsTransport({ host: '127.0.0.1', port: 0 })).toThrow(InvalidArgumentError);
    expect(() => tlsTransport({ host: '127.0.0.1', port: 8883, cert: 'PEM' })).toThrow(/key: a client certificate needs both cert and key/);
    expect(() => tlsTransport({ host: '127.0.0.1', port: 8883, ca: 42 as never })).toThrow(/ca: expected PEM/);
    expect(() => tlsTransport({ host: '127.0.0.1', port: 8883, rejectUnauthorized: 'no' as never })).toThrow(/rejectUnauthorized/);
    expect(() => tlsTransport({ host: '127.0.0.1', port: 8883, servername: '' })).toThrow(/servername/);
  });
});
