import { createServer } from 'node:net';
import { startBroker } from '../../lib/broker/index';
import { InvalidArgumentError, TransportError } from '../../lib/errors';
import { generateTlsFixtures, type TlsFixtures } from '../helpers/tls';
import { endAll, messages, mqttjs } from '../broker/mqttjs';
import { RawClient, connect311, connect5 } from '../broker/raw-client';

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('broker listeners', () => {
  let tls: TlsFixtures;
  beforeAll(() => {
    tls = generateTlsFixtures();
  });
  afterAll(() => tls.dispose());
  afterEach(endAll);

  it('serves TCP, WebSocket (subprotocol mqtt) and TLS at once, and frees every port on close', async () => {
    const broker = await startBroker({
      port: 0,
      websocket: { port: 0 },
      tls: { port: 0, key: tls.serverKey.pem, cert: tls.serverCert.pem },
    });
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(broker.wsUrl).toBe(`ws://127.0.0.1:${broker.wsPort}`);
    expect(broker.tlsUrl).toBe(`mqtts://127.0.0.1:${broker.tlsPort}`);
    const overTcp = await mqttjs(broker.url, { protocolVersion: 4 });
    const overWs = await mqttjs(broker.wsUrl as string, { protocolVersion: 5 });
    const overTls = await mqttjs(broker.tlsUrl as string, { protocolVersion: 5, ca: tls.ca.pem, rejectUnauthorized: true, servername: 'localhost' });
    await overWs.subscribeAsync('l/#', { qos: 1 });
    await overTls.subscribeAsync('l/#', { qos: 1 });
    await overTcp.publishAsync('l/x', 'across listeners', { qos: 1 });
    const [ws, secure] = await Promise.all([messages(overWs, 1), messages(overTls, 1)]);
    expect([ws[0].payload, secure[0].payload]).toEqual(['across listeners', 'across listeners']);

    const raw = await RawClient.open(broker.port);
    raw.write(connect311({ clientId: 'left-open' }));
    await raw.packets(1, 4);
    const raw5 = await RawClient.open(broker.port);
    raw5.write(connect5({ clientId: 'told-why' }));
    await raw5.packets(1, 5);
    await broker.close();
    await raw.waitClosed();
    await raw5.waitClosed();
    expect((await raw5.packets(2, 5))[1]).toMatchObject({ type: 'disconnect', reasonCode: 0x8b }); // server shutting down
    for (const port of [broker.port, broker.wsPort as number, broker.tlsPort as number]) expect(await canBind(port)).toBe(true);
    await broker.close(); // idempotent
  });

  it('asks for client certificates when requestCert is set', async () => {
    const broker = await startBroker({ port: 0, tls: { port: 0, key: tls.serverKey.pem, cert: tls.serverCert.pem, ca: tls.ca.pem, requestCert: true } });
    try {
      const withCert = await mqttjs(broker.tlsUrl as string, { ca: tls.ca.pem, cert: tls.clientCert.pem, key: tls.clientKey.pem, servername: 'localhost' });
      expect(withCert.connected).toBe(true);
      await expect(mqttjs(broker.tlsUrl as string, { ca: tls.ca.pem, servername: 'localhost' })).rejects.toBeDefined();
    } finally {
      await broker.close();
    }
  });

  it('rejects a port that is taken with a TransportError and frees the ports it had bound', async () => {
    const first = await startBroker({ port: 0 });
    try {
      const wsPort = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      const attempt = startBroker({ port: wsPort, tls: { port: first.port, key: tls.serverKey.pem, cert: tls.serverCert.pem } });
      await expect(attempt).rejects.toBeInstanceOf(TransportError);
      await expect(attempt).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
      expect(await canBind(wsPort)).toBe(true);
    } finally {
      await first.close();
    }
  });

  it.each([
    ['no options', undefined],
    ['a negative port', { port: -1 }],
    ['a non-integer port', { port: 1.5 }],
    ['TLS without a key', { port: 0, tls: { port: 0, cert: 'x' } }],
    ['a non-function hook', { port: 0, authenticate: 'yes' }],
    ['a zero in-flight window', { port: 0, limits: { maxInflight: 0 } }],
  ])('throws InvalidArgumentError for %s', async (_name, options) => {
    await expect(startBroker(options as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
