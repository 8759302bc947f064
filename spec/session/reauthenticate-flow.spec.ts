/**
 * Re-authentication on a live connection (MQTT 5 section 4.12.1), through the client, against a
 * scripted server that asserts the exact packets in order.
 */
import type { ClientAuthentication } from '../../lib/auth/authentication.js';
import { connect } from '../../lib/client/connect.js';
import { whenConnected, type MqttClient } from '../../lib/client/mqtt-client.js';
import { ConnectionClosedError, InvalidArgumentError, MqttError } from '../../lib/errors.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';
import { scriptedServer, type ScriptedPeer } from '../helpers/scripted-peer.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

afterEach(closeScriptedClients);

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});

/** A client connected with `authentication` (no challenge during CONNECT). */
async function authenticated(authentication: ClientAuthentication): Promise<{ client: MqttClient; server: ScriptedPeer }> {
  const { transport, peer } = scriptedServer();
  const client = connect({ protocolVersion: 5, clientId: 'c', reconnect: false, authentication, transport });
  clients.push(client);
  const server = await peer;
  await server.expect('connect');
  server.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: authentication.method } });
  await whenConnected(client);
  return { client, server };
}

describe('client.reauthenticate()', () => {
  it('AUTH 0x19 with the method and data, AUTH 0x18 answered, resolves on AUTH 0x00 [MQTT-4.12.1-1]', async () => {
    const seen: string[] = [];
    let round = 0;
    const { client, server } = await authenticated({
      method: 'TOKEN',
      get data() {
        return bytes(`first-${++round}`);
      },
      onChallenge: (data, code) => {
        seen.push(`${code}:${text(data)}`);
        return code === 0x18 ? bytes(`re-${text(data)}`) : undefined;
      },
    });
    const done = client.reauthenticate();
    expect(await server.expect('auth')).toEqual({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('first-3') } });
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('c1') } });
    expect(await server.expect('auth')).toEqual({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('re-c1') } });
    server.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('ok') } });
    await expect(done).resolves.toBeUndefined();
    expect(seen).toEqual(['0:', '24:c1', '0:ok']);
    // The connection goes on.
    await client.publishAsync('after', 'x');
    expect(await server.expect('publish')).toMatchObject({ topic: 'after' });
  });

  it('explicit data replaces the option\'s', async () => {
    const { client, server } = await authenticated({ method: 'TOKEN', data: bytes('old') });
    const done = client.reauthenticate(bytes('new'));
    expect(await server.expect('auth')).toMatchObject({ reasonCode: 0x19, properties: { authenticationData: bytes('new') } });
    server.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TOKEN' } });
    await done;
  });

  it('the server ends the connection with DISCONNECT 0x87: rejects with AUTH_FAILED carrying 0x87 [MQTT-4.12.1-2]', async () => {
    const { client, server } = await authenticated({ method: 'TOKEN', data: bytes('d') });
    const done = client.reauthenticate();
    await server.expect('auth');
    server.send({ type: 'disconnect', reasonCode: 0x87 });
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', reasonCode: 0x87 });
  });

  it('an onChallenge that throws: DISCONNECT 0x80 and close, rejects with AUTH_FAILED (cause: the throw)', async () => {
    const boom = new Error('refused to answer');
    const { client, server } = await authenticated({ method: 'TOKEN', onChallenge: (_d, code) => { if (code === 0x18) throw boom; } });
    const done = client.reauthenticate();
    await server.expect('auth');
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN' } });
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x80 });
    await expect(done).rejects.toMatchObject({ code: 'AUTH_FAILED', cause: boom });
    await server.closed;
  });

  it('AUTH with another method, or an AUTH nobody asked for, closes with DISCONNECT 0x82', async () => {
    const a = await authenticated({ method: 'TOKEN' });
    const done = a.client.reauthenticate();
    await a.server.expect('auth');
    a.server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'OTHER' } });
    expect(await a.server.expect('disconnect')).toMatchObject({ reasonCode: 0x82 });
    await expect(done).rejects.toMatchObject({ code: 'AUTH_FAILED' });

    const b = await authenticated({ method: 'TOKEN' });
    b.server.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TOKEN' } });
    expect(await b.server.expect('disconnect')).toMatchObject({ reasonCode: 0x82 });
  });

  it('a server AUTH to a client without the option is a protocol error [MQTT-4.12.0-6]', async () => {
    const { server } = await connectedPair({ protocolVersion: 5 });
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN' } });
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x82 });
  });

  it('rejects without the option, while one runs, and when not connected', async () => {
    const plain = await connectedPair({ protocolVersion: 5 });
    await expect(plain.client.reauthenticate()).rejects.toBeInstanceOf(InvalidArgumentError);
    const { client, server } = await authenticated({ method: 'TOKEN' });
    const first = client.reauthenticate();
    await expect(client.reauthenticate()).rejects.toMatchObject({ code: 'AUTH_IN_PROGRESS' });
    await server.expect('auth');
    server.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TOKEN' } });
    await first;
    await client.disconnect({ timeout: 0 });
    const error = await client.reauthenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MqttError);
    expect(error).toBeInstanceOf(ConnectionClosedError);
  });
});
