/**
 * Failover across servers and MQTT 5 Server References, against scripted servers: which server
 * each connection attempt opens, and what `state$` says about a redirection.
 */
import { filter, firstValueFrom } from 'rxjs';
import type { ClientState, MqttClient } from '../../lib/client/mqtt-client.js';
import { connectWith } from '../../lib/client/connect.js';
import type { ClientOptions } from '../../lib/client/client-options.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import type { BrokerUrl } from '../../lib/transport/parse-broker-url.js';
import { memoryTransportFactory } from '../../lib/transport/memory-transport.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';

/** Scripted servers by `host:port`: each connection the client opens is a new peer of that address. */
function cluster() {
  const opened: string[] = [];
  const waiting: ((peer: ScriptedPeer) => void)[] = [];
  const resolver = (url: BrokerUrl | undefined) =>
    memoryTransportFactory((server) => {
      opened.push(`${url?.host}:${url?.port}`);
      const peer = new ScriptedPeer(server);
      waiting.shift()?.(peer);
    });
  const nextPeer = (): Promise<ScriptedPeer> => new Promise((resolve) => waiting.push(resolve));
  return { resolver, opened, nextPeer };
}

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});

function start(c: ReturnType<typeof cluster>, options: ClientOptions): MqttClient {
  const client = connectWith(c.resolver, { reconnect: { minDelay: 1, maxDelay: 1 }, ...options });
  clients.push(client);
  return client;
}

const reconnecting = (client: MqttClient): Promise<ClientState & { status: 'reconnecting' }> =>
  firstValueFrom(client.state$.pipe(filter((s): s is ClientState & { status: 'reconnecting' } => s.status === 'reconnecting')));

describe('servers: failover', () => {
  it('the first attempt opens the first server; each reconnect attempt the next one, cycling', async () => {
    const c = cluster();
    let peer = c.nextPeer();
    start(c, { servers: ['mqtt://node-a:1883', 'mqtt://node-b:1884'] });
    for (let i = 0; i < 3; i++) {
      const p = await peer;
      await p.expect('connect');
      peer = c.nextPeer();
      p.fail(); // the node dies before CONNACK... and the next attempt goes to the next node
    }
    await peer;
    expect(c.opened).toEqual(['node-a:1883', 'node-b:1884', 'node-a:1883', 'node-b:1884']);
  });

  it('a lost connection moves to the next server, where the client starts a fresh session and re-subscribes', async () => {
    const c = cluster();
    let peer = c.nextPeer();
    const client = start(c, { servers: ['mqtt://a:1883', 'mqtt://b:1883'] });
    const a = await peer;
    await a.expect('connect');
    a.send({ type: 'connack', sessionPresent: false, reasonCode: 0 });
    client.subscribe('t/#', { qos: 1 }).subscribe();
    const s = await a.expect('subscribe');
    a.send({ type: 'suback', packetId: s.packetId, reasonCodes: [1] });
    peer = c.nextPeer();
    a.fail();
    const b = await peer;
    await b.expect('connect');
    b.send({ type: 'connack', sessionPresent: false, reasonCode: 0 });
    expect(await b.expect('subscribe')).toMatchObject({ subscriptions: [{ topicFilter: 't/#', qos: 1 }] });
    expect(c.opened).toEqual(['a:1883', 'b:1883']);
  });
});

describe('Server Reference (MQTT 5)', () => {
  it('followServerReference: a CONNACK 0x9C names the next server; the reconnecting state carries the reference', async () => {
    const c = cluster();
    let peer = c.nextPeer();
    const client = start(c, { url: 'mqtt://a:1883', protocolVersion: 5, followServerReference: true });
    const a = await peer;
    await a.expect('connect');
    peer = c.nextPeer();
    const state = reconnecting(client);
    a.send({ type: 'connack', sessionPresent: false, reasonCode: 0x9c, properties: { serverReference: 'c:1999 d:2000' } });
    expect((await state).cause).toMatchObject({ name: 'ConnectRefusedError', reasonCode: 0x9c, serverReference: 'c:1999 d:2000' });
    await (await peer).expect('connect');
    expect(c.opened).toEqual(['a:1883', 'c:1999']);
  });

  it('a DISCONNECT 0x9D (Server moved) with a host and no port: the next attempt goes there on the current port, once', async () => {
    const c = cluster();
    let peer = c.nextPeer();
    start(c, { servers: ['mqtt://a:1883', 'mqtt://b:1883'], protocolVersion: 5, followServerReference: true });
    const a = await peer;
    await a.expect('connect');
    a.send({ type: 'connack', sessionPresent: false, reasonCode: 0 });
    peer = c.nextPeer();
    a.send({ type: 'disconnect', reasonCode: 0x9d, properties: { serverReference: 'moved.example' } });
    const moved = await peer;
    await moved.expect('connect');
    peer = c.nextPeer();
    moved.fail();
    await peer;
    // After the redirection the list goes on where it was.
    expect(c.opened).toEqual(['a:1883', 'moved.example:1883', 'b:1883']);
  });

  it('without followServerReference the reference is only reported: the next attempt follows the list', async () => {
    const c = cluster();
    let peer = c.nextPeer();
    const client = start(c, { servers: ['mqtt://a:1883', 'mqtt://b:1883'], protocolVersion: 5 });
    const a = await peer;
    await a.expect('connect');
    peer = c.nextPeer();
    const state = reconnecting(client);
    a.send({ type: 'connack', sessionPresent: false, reasonCode: 0x9c, properties: { serverReference: 'c:1999' } });
    expect((await state).cause).toMatchObject({ serverReference: 'c:1999' });
    await peer;
    expect(c.opened).toEqual(['a:1883', 'b:1883']);
  });

  it('refuses an empty server list, url and servers together, servers with a transport, and a non-boolean follow option', () => {
    const c = cluster();
    expect(() => connectWith(c.resolver, { servers: [] })).toThrow(InvalidArgumentError);
    expect(() => connectWith(c.resolver, { servers: ['mqtt://a'], url: 'mqtt://b' })).toThrow(/either url or servers/);
    expect(() => connectWith(c.resolver, { servers: ['mqtt://a'], transport: c.resolver(undefined) })).toThrow(/either a transport or servers/);
    expect(() => connectWith(c.resolver, { servers: ['nope://x'] })).toThrow(/servers\[0\]/);
    expect(() => connectWith(c.resolver, { url: 'mqtt://a', followServerReference: 'yes' as never })).toThrow(/followServerReference/);
  });
});
