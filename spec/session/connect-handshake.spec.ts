import { lastValueFrom } from 'rxjs';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { ConnackPacket, ConnectPacket, Packet } from '../../lib/codec/packet.js';
import type { ClientAuthentication } from '../../lib/auth/authentication.js';
import { connect as connectClient } from '../../lib/client/connect.js';
import { whenConnected } from '../../lib/client/mqtt-client.js';
import { ConnectionClosedError, ConnectRefusedError, InvalidArgumentError, MqttError, ProtocolError } from '../../lib/errors.js';
import { connectHandshake } from '../../lib/session/connect-handshake.js';
import { PacketChannel } from '../../lib/session/packet-channel.js';
import { memoryTransportPair } from '../../lib/transport/memory-transport.js';
import { scriptedServer } from '../helpers/scripted-peer.js';

const connect = (protocolVersion: 4 | 5): ConnectPacket => ({ type: 'connect', protocolVersion, clientId: 'c', cleanStart: true, keepAlive: 10 });

/** Runs the handshake against a server that answers the CONNECT with `answer` (or closes). */
function handshake(protocolVersion: 4 | 5, answer: Packet | 'close'): { result: Promise<ConnackPacket>; got: Packet[] } {
  const [client, server] = memoryTransportPair();
  const got: Packet[] = [];
  const decoder = new PacketDecoder();
  server.incoming.subscribe((chunk) =>
    decoder.write(chunk, (p) => {
      got.push(p);
      if (answer === 'close') server.close();
      else server.send(encode(answer, { protocolVersion }));
    }),
  );
  const channel = new PacketChannel(client, { protocolVersion });
  return { result: lastValueFrom(connectHandshake(channel, connect(protocolVersion))), got };
}

describe('connectHandshake', () => {
  it('sends CONNECT and completes with an accepting CONNACK', async () => {
    const { result, got } = handshake(4, { type: 'connack', sessionPresent: true, reasonCode: 0 });
    expect(await result).toMatchObject({ sessionPresent: true, reasonCode: 0 });
    expect(got).toEqual([expect.objectContaining({ type: 'connect', clientId: 'c', keepAlive: 10 })]);
  });

  it('accepts MQTT 5 success codes below 0x80', async () => {
    await expect(handshake(5, { type: 'connack', sessionPresent: false, reasonCode: 0 }).result).resolves.toMatchObject({ reasonCode: 0 });
  });

  it.each([
    [4, 1, 'unacceptable protocol version'],
    [4, 4, 'bad user name or password'],
    [5, 0x86, 'bad user name or password'],
    [5, 0x9c, 'use another server'],
  ] as const)('MQTT %s: refuses with code %s (%s)', async (version, code, meaning) => {
    const error = await handshake(version, { type: 'connack', sessionPresent: false, reasonCode: code }).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(code);
    expect((error as Error).message).toContain(meaning);
  });

  it('errors with ProtocolError when the first packet is not CONNACK', async () => {
    await expect(handshake(4, { type: 'pingresp' }).result).rejects.toMatchObject({ specRef: 'MQTT-3.2.0-1' });
    await expect(handshake(4, { type: 'pingresp' }).result).rejects.toBeInstanceOf(ProtocolError);
  });

  it('errors with ConnectionClosedError when the server closes first', async () => {
    await expect(handshake(4, 'close').result).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('connectHandshake with enhanced authentication (MQTT 5 section 4.12), through the client', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
  const clients: { disconnect(o: { timeout: number }): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
  });

  async function start(authentication: ClientAuthentication) {
    const { transport, peer } = scriptedServer();
    const client = connectClient({ protocolVersion: 5, clientId: 'c', reconnect: false, authentication, transport });
    clients.push(client);
    const server = await peer;
    return { client, server, connected: whenConnected(client) };
  }

  it('CONNECT carries method and data; AUTH 0x18 is answered with AUTH 0x18; CONNACK data goes to onChallenge(…, 0x00)', async () => {
    const seen: string[] = [];
    const { server, connected } = await start({
      method: 'TOKEN',
      data: bytes('hello'),
      onChallenge: async (data, code) => {
        seen.push(`${code.toString(16)}:${text(data)}`);
        return code === 0x18 ? bytes(`answer to ${text(data)}`) : undefined;
      },
    });
    const c = await server.expect('connect');
    expect(c.properties).toMatchObject({ authenticationMethod: 'TOKEN', authenticationData: bytes('hello') });
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('one') } });
    expect(await server.expect('auth')).toEqual({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('answer to one') } });
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('two') } });
    expect(await server.expect('auth')).toMatchObject({ reasonCode: 0x18, properties: { authenticationData: bytes('answer to two') } });
    server.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('done') } });
    await connected;
    expect(seen).toEqual(['18:one', '18:two', '0:done']);
  });

  it.each([
    [0x87, 'not authorized'],
    [0x8c, 'bad authentication method'],
    [0x86, 'bad user name or password'],
  ])('a CONNACK 0x%s after a challenge rejects with ConnectRefusedError carrying the code', async (code) => {
    const { server, connected } = await start({ method: 'TOKEN', onChallenge: () => bytes('x') });
    await server.expect('connect');
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN' } });
    expect(await server.expect('auth')).toMatchObject({ reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('x') } });
    server.send({ type: 'connack', sessionPresent: false, reasonCode: code });
    const error = await connected.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(code);
  });

  it('an onChallenge that throws: DISCONNECT 0x80, then AUTH_FAILED with the thrown error as cause', async () => {
    const boom = new Error('no key');
    const { server, connected } = await start({ method: 'TOKEN', onChallenge: () => { throw boom; } });
    await server.expect('connect');
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN' } });
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x80 });
    const error = await connected.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MqttError);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', cause: boom });
    await server.closed;
  });

  it('an onChallenge that rejects the CONNACK\'s final data fails the connection with AUTH_FAILED', async () => {
    const { server, connected } = await start({ method: 'TOKEN', onChallenge: async (_d, code) => { if (code === 0) throw new Error('server not proven'); } });
    await server.expect('connect');
    server.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'TOKEN' } });
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x80 });
    await expect(connected).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it.each([
    ['AUTH with another method', { type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'OTHER' } }, 'MQTT-4.12.0-5'],
    ['AUTH 0x00 before CONNACK', { type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TOKEN' } }, 'MQTT-4.12.0-2'],
    ['a CONNACK without the method', { type: 'connack', sessionPresent: false, reasonCode: 0 }, 'MQTT-4.12.0-5'],
  ] as const)('%s is a protocol error: DISCONNECT 0x82', async (_name, packet, specRef) => {
    const { server, connected } = await start({ method: 'TOKEN', onChallenge: () => bytes('x') });
    await server.expect('connect');
    server.send(packet as Packet);
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x82 });
    const error = await connected.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).specRef).toBe(specRef);
  });

  it('without the option, an AUTH from the server is a protocol error [MQTT-4.12.0-6]', async () => {
    const { transport, peer } = scriptedServer();
    const client = connectClient({ protocolVersion: 5, clientId: 'c', reconnect: false, transport });
    clients.push(client);
    const server = await peer;
    await server.expect('connect');
    server.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN' } });
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x82 });
    await expect(whenConnected(client)).rejects.toMatchObject({ specRef: 'MQTT-4.12.0-6' });
  });

  it('the option is validated: MQTT 5 only, a method, a function, no clash with the properties', () => {
    expect(() => connectClient({ transport: scriptedServer().transport, authentication: { method: 'X' } })).toThrow(InvalidArgumentError);
    expect(() => connectClient({ protocolVersion: 5, transport: scriptedServer().transport, authentication: { method: '' } })).toThrow(/authentication.method/);
    expect(() => connectClient({ protocolVersion: 5, transport: scriptedServer().transport, authentication: { method: 'X', onChallenge: 3 as never } })).toThrow(/onChallenge/);
    expect(() =>
      connectClient({ protocolVersion: 5, transport: scriptedServer().transport, authentication: { method: 'X' }, properties: { authenticationMethod: 'Y' } }),
    ).toThrow(/not both/);
  });
});
