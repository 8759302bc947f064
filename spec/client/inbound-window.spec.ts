/**
 * The client's inbound window (receiveMaximum) against a scripted server that asserts the exact
 * packets in order: announced in MQTT 5 CONNECT, enforced on the client side when a server sends
 * past it (3.1.1, or an MQTT 5 broker that overruns it), strict 0x93 on request.
 */
import { filter, firstValueFrom, Subject } from 'rxjs';
import type { ConnectPacket, PublishPacket } from '../../lib/codec/packet.js';
import { buildConnectPacket } from '../../lib/client/build-connect-packet.js';
import type { ClientOptions } from '../../lib/client/client-options.js';
import { connect } from '../../lib/client/connect.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import type { MqttMessage } from '../../lib/client/mqtt-message.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { scriptedServer, type ScriptedPeer } from '../helpers/scripted-peer.js';

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});

async function start(options: ClientOptions): Promise<{ client: MqttClient; server: ScriptedPeer; connectPacket: ConnectPacket }> {
  const { transport, peer } = scriptedServer();
  const client = connect({ reconnect: false, ...options, transport });
  clients.push(client);
  const server = await peer;
  const connectPacket = await server.expect('connect');
  server.send({ type: 'connack', sessionPresent: false, reasonCode: 0 });
  await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'connected')));
  return { client, server, connectPacket };
}

const inbound = (packetId: number, qos: 0 | 1 | 2 = 1): PublishPacket => ({
  type: 'publish',
  topic: 'flood',
  payload: new TextEncoder().encode(String(packetId)),
  qos,
  retain: false,
  dup: false,
  packetId: qos === 0 ? undefined : packetId,
});

/** Subscribes manually at QoS 1 and answers SUBACK; `arrived(n)` resolves once n messages arrived. */
async function manual(client: MqttClient, server: ScriptedPeer) {
  const messages: MqttMessage[] = [];
  const changed = new Subject<void>();
  const errors: unknown[] = [];
  client.subscribe('flood', { qos: 2, ack: 'manual' }).subscribe({
    next: (m) => {
      messages.push(m);
      changed.next();
    },
    error: (e) => errors.push(e),
  });
  const s = await server.expect('subscribe');
  server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [2] });
  const arrived = (n: number): Promise<unknown> => (messages.length >= n ? Promise.resolve() : firstValueFrom(changed.pipe(filter(() => messages.length >= n))));
  return { messages, arrived, errors };
}

/** Round trip through the client: a QoS 1 publish and its PUBACK; everything sent to the client before has been read (unless reading paused). */
async function roundTrip(client: MqttClient, server: ScriptedPeer): Promise<void> {
  const done = client.publishAsync('marker', '', { qos: 1 });
  const p = await server.expect('publish');
  expect(p.topic).toBe('marker');
  server.send({ type: 'puback', packetId: p.packetId ?? 0 });
  await done;
}

describe('inbound window (receiveMaximum)', () => {
  it('MQTT 5: announces receiveMaximum in CONNECT [MQTT-3.3.4-9]', async () => {
    const { connectPacket } = await start({ protocolVersion: 5, receiveMaximum: 20 });
    expect(connectPacket.properties?.receiveMaximum).toBe(20);
  });

  it.each([4, 5] as const)('protocol %i: a server sending past the window is held at the window until acks free units; nothing is lost', async (protocolVersion) => {
    // The trace shows each PUBLISH as it is decoded, before the window decides about it.
    const decoded = new Subject<number>();
    const trace = (e: { direction: string; packet: { type: string; packetId?: number } }): void => {
      if (e.direction === 'in' && e.packet.type === 'publish') decoded.next(e.packet.packetId ?? 0);
    };
    const { client, server } = await start({ protocolVersion, receiveMaximum: 3, trace });
    const { messages, arrived } = await manual(client, server);
    const fourth = firstValueFrom(decoded.pipe(filter((id) => id === 4)));
    for (let id = 1; id <= 6; id++) server.send(inbound(id));
    await fourth;
    expect(messages.map((m) => m.text())).toEqual(['1', '2', '3']); // 4 was read but is held
    messages[1].ack(); // out of order: PUBACK 2 waits for 1, and its unit stays in use
    expect(messages).toHaveLength(3);
    messages[0].ack(); // PUBACK 1 and 2 leave: two units free
    expect(await server.expect('puback')).toMatchObject({ type: 'puback', packetId: 1 });
    expect(await server.expect('puback')).toMatchObject({ type: 'puback', packetId: 2 });
    await arrived(5);
    expect(messages.map((m) => m.text())).toEqual(['1', '2', '3', '4', '5']);
    for (const m of messages.slice(2)) m.ack();
    await arrived(6);
    messages[5].ack();
    for (const id of [3, 4, 5, 6]) expect(await server.expect('puback')).toMatchObject({ type: 'puback', packetId: id });
  });

  it('a QoS 2 message holds its unit until PUBCOMP', async () => {
    const { client, server } = await start({ protocolVersion: 5, receiveMaximum: 1 });
    const { messages, arrived } = await manual(client, server);
    server.send(inbound(1, 2));
    server.send(inbound(2, 2));
    await arrived(1);
    messages[0].ack();
    expect(await server.expect('pubrec')).toMatchObject({ type: 'pubrec', packetId: 1 });
    expect(messages).toHaveLength(1); // PUBREC out, but the unit is held until PUBCOMP
    server.send({ type: 'pubrel', packetId: 1 }); // passes the held message 2
    expect(await server.expect('pubcomp')).toMatchObject({ type: 'pubcomp', packetId: 1 });
    await arrived(2);
    expect(messages[1].text()).toBe('2');
  });

  it('a server that honours the window: no further message arrives until one is acked', async () => {
    const { client, server } = await start({ protocolVersion: 5, receiveMaximum: 2 });
    const { messages, arrived } = await manual(client, server);
    server.send(inbound(1));
    server.send(inbound(2));
    await arrived(2);
    await roundTrip(client, server); // nothing held: our own publish's PUBACK is read at once
    expect(server.log.filter((p) => p.type === 'puback')).toEqual([]); // so the server sends nothing more
    messages[0].ack();
    expect(await server.expect('puback')).toMatchObject({ type: 'puback', packetId: 1 });
    server.send(inbound(3)); // one unit free
    await arrived(3);
    expect(messages.map((m) => m.text())).toEqual(['1', '2', '3']);
  });

  it('strictReceiveMaximum: a server exceeding the window is disconnected with 0x93', async () => {
    const { client, server } = await start({ protocolVersion: 5, receiveMaximum: 1, strictReceiveMaximum: true });
    const { errors } = await manual(client, server);
    server.send(inbound(1));
    server.send(inbound(2));
    expect(await server.expect('disconnect')).toMatchObject({ type: 'disconnect', reasonCode: 0x93 });
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'closed')));
    expect(errors).toHaveLength(1); // the observers learn it too
    const closed = await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'closed')));
    expect(closed).toMatchObject({ error: { code: 'RECEIVE_MAXIMUM_EXCEEDED', reasonCode: 0x93 } });
  });

  it('validates the options with InvalidArgumentError', () => {
    expect(() => buildConnectPacket({ receiveMaximum: 0 })).toThrow(InvalidArgumentError);
    expect(() => buildConnectPacket({ receiveMaximum: 65536 })).toThrow(InvalidArgumentError);
    expect(() => buildConnectPacket({ protocolVersion: 5, receiveMaximum: 5, properties: { receiveMaximum: 6 } })).toThrow(InvalidArgumentError);
    expect(() => buildConnectPacket({ strictReceiveMaximum: true, receiveMaximum: 5 })).toThrow(InvalidArgumentError);
    expect(buildConnectPacket({ receiveMaximum: 5 }).properties).toBeUndefined(); // 3.1.1: client side only
  });
});
