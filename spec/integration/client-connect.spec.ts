/**
 * The client connecting to a real Mosquitto over TCP: accepted and refused connections in both
 * protocol versions, the state$ sequence, and what goes on the wire at connect and disconnect.
 */
import { firstValueFrom, takeWhile, timeout, toArray } from 'rxjs';
import { connect, connectAsync } from '../../lib/node/index.js';
import { ConnectionClosedError, ConnectRefusedError, MqttError, TransportError } from '../../lib/errors.js';
import { describeWithMosquitto, freePort, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { tcpTap } from '../helpers/tcp-tap.js';
import { stateOf, within } from '../helpers/client-utils.js';

describeWithMosquitto('client connect (Mosquitto, TCP)', () => {
  let broker: MosquittoInstance;
  let secured: MosquittoInstance;
  beforeAll(async () => {
    broker = await startMosquitto();
    secured = await startMosquitto({ users: { alice: 'secret' } });
  });
  afterAll(async () => {
    await broker?.dispose();
    await secured?.dispose();
  });

  it.each([4, 5] as const)('connects with MQTT %s, reports connected, and disconnects with DISCONNECT', async (protocolVersion) => {
    const tap = tcpTap(broker.host, broker.port);
    const client = await connectAsync({ transport: tap.factory, protocolVersion, clientId: `connect-v${protocolVersion}`, keepalive: 30 });
    const state = await stateOf(client, 'connected');
    expect(state).toMatchObject({ status: 'connected', sessionPresent: false });

    const [connectPacket] = tap.sent('connect');
    expect(connectPacket).toMatchObject({ cmd: 'connect', protocolVersion, clientId: `connect-v${protocolVersion}`, clean: true, keepalive: 30 });
    expect(tap.received('connack')).toEqual([expect.objectContaining({ cmd: 'connack', sessionPresent: false })]);

    await within(client.disconnect(), 5000, 'disconnect');
    expect(tap.sent('disconnect')).toHaveLength(1);
    const closed = await stateOf(client, 'closed');
    expect((closed as { error?: unknown }).error).toBeUndefined();
  });

  it('connect() starts at once and state$ goes connecting -> connected', async () => {
    const client = connect(broker.url);
    const seen = (
      await firstValueFrom(
        client.state$.pipe(
          takeWhile((s) => s.status !== 'connected', true),
          toArray(),
          timeout(10000),
        ),
      )
    ).map((s) => s.status);
    expect(seen[0]).toBe('connecting');
    expect(seen[seen.length - 1]).toBe('connected');
    expect(seen.every((s) => s === 'connecting' || s === 'connected')).toBe(true);
    await client.disconnect();
  });

  it('sends a generated client id when none is given', async () => {
    const tap = tcpTap(broker.host, broker.port);
    const client = await connectAsync({ transport: tap.factory });
    const [connectPacket] = tap.sent('connect');
    expect(connectPacket).toBeDefined();
    expect((connectPacket as { clientId: string }).clientId).toMatch(/^rxmqtt_./);
    await client.disconnect();
  });

  it('MQTT 3.1.1 with clean session off finds its session on reconnect', async () => {
    const options = { clientId: `persistent-${process.pid}`, clean: false };
    const first = await connectAsync(broker.url, options);
    expect(await stateOf(first, 'connected')).toMatchObject({ sessionPresent: false });
    await first.disconnect();
    const second = await connectAsync(broker.url, options);
    expect(await stateOf(second, 'connected')).toMatchObject({ sessionPresent: true });
    await second.disconnect();
    // A clean connect discards it.
    const third = await connectAsync(broker.url, { ...options, clean: true });
    expect(await stateOf(third, 'connected')).toMatchObject({ sessionPresent: false });
    await third.disconnect();
  });

  it('logs in with the right password', async () => {
    const client = await connectAsync(secured.url, { username: 'alice', password: 'secret' });
    expect(await stateOf(client, 'connected')).toMatchObject({ status: 'connected' });
    await client.disconnect();
  });

  it('is refused with return code 5 (MQTT 3.1.1) for a wrong password', async () => {
    const error = await connectAsync(secured.url, { username: 'alice', password: 'wrong' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(5);
    expect((error as ConnectRefusedError).code).toBe('CONNECT_REFUSED');
  });

  it('is refused with reason code 0x86 or 0x87 (MQTT 5) for a wrong password', async () => {
    const error = await connectAsync(secured.url, { protocolVersion: 5, username: 'alice', password: new TextEncoder().encode('wrong') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect([0x86, 0x87]).toContain((error as ConnectRefusedError).reasonCode);
  });

  it('connect() shows a refusal as state closed with the ConnectRefusedError', async () => {
    const client = connect(secured.url, { username: 'mallory', password: 'x' });
    const closed = (await stateOf(client, 'closed')) as { status: 'closed'; error?: MqttError };
    expect(closed.error).toBeInstanceOf(ConnectRefusedError);
    expect((closed.error as ConnectRefusedError).reasonCode).toBe(5);
  });

  it.each([4, 5] as const)('MQTT %s: closes with a typed error when the broker stops, and later publishes fail', async (protocolVersion) => {
    const lone = await startMosquitto();
    try {
      const tap = tcpTap(lone.host, lone.port);
      // Reconnecting off: the client stays closed once the connection is lost.
      const client = await connectAsync({ transport: tap.factory, protocolVersion, reconnect: false });
      await lone.stop();
      // Mosquitto 2.0 closes the socket without a DISCONNECT when it stops.
      const closed = (await stateOf(client, 'closed')) as { error?: unknown };
      expect(tap.received('disconnect')).toEqual([]);
      expect(closed.error).toBeInstanceOf(ConnectionClosedError);
      const error = await client.publishAsync('after/close', 'x', { qos: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectionClosedError);
    } finally {
      await lone.dispose();
    }
  });

  it('rejects with a TransportError when nothing listens on the port', async () => {
    const port = await freePort();
    const error = await connectAsync(`mqtt://127.0.0.1:${port}`, { connectTimeout: 5000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toContain(String(port));
  });
});
