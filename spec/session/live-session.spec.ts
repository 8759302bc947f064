/**
 * The session flows end to end through the client, against a scripted server that asserts the
 * exact packets in order.
 */
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import type { PublishPacket } from '../../lib/codec/packet.js';
import type { ClientState } from '../../lib/client/mqtt-client.js';
import {
  ConnectionClosedError,
  DecodeError,
  InvalidArgumentError,
  ProtocolError,
  PublishFailedError,
  TimeoutError,
} from '../../lib/errors.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';
import type { ScriptedPeer } from '../helpers/scripted-peer.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const inbound = (extra: Partial<PublishPacket>): PublishPacket => ({
  type: 'publish',
  topic: 'in',
  payload: new TextEncoder().encode('m'),
  qos: 0,
  retain: false,
  dup: false,
  ...extra,
});

/** A QoS 0 publish is never held back, so it marks "everything the client sent before this". */
async function marker(client: MqttClient, server: ScriptedPeer): Promise<void> {
  await client.publishAsync('marker', '');
  const next = await server.expect('publish');
  expect(next.topic).toBe('marker');
}

function closedState(client: MqttClient): Promise<ClientState> {
  return firstValueFrom(client.state$.pipe(filter((s) => s.status === 'closed')));
}

/** Subscribes, answers the SUBACK, and returns (wrapped, so awaiting this does not wait for them) the first `count` messages. */
async function subscribed(client: MqttClient, server: ScriptedPeer, topic: string, count: number, qos: 0 | 1 | 2 = 2) {
  const messages = lastValueFrom(client.subscribe(topic, { qos }).pipe(take(count), toArray()));
  const s = await server.expect('subscribe');
  server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [qos] });
  return { messages };
}

afterEach(closeScriptedClients);

describe('inbound QoS flows', () => {
  it('QoS 1: delivers, then answers PUBACK with the same identifier', async () => {
    const { client, server } = await connectedPair();
    const { messages } = await subscribed(client, server, 'in', 1);
    server.send(inbound({ qos: 1, packetId: 10 }));
    expect((await messages)[0].qos).toBe(1);
    // Delivery comes first: the observer took one message and left (UNSUBSCRIBE), then the PUBACK.
    expect(await server.expect('unsubscribe')).toMatchObject({ topicFilters: ['in'] });
    expect(await server.expect('puback')).toMatchObject({ type: 'puback', packetId: 10 });
  });

  it('QoS 2: PUBREC, a resent DUP PUBLISH delivered once, PUBREL answered with PUBCOMP', async () => {
    const { client, server } = await connectedPair();
    const seen: string[] = [];
    client.subscribe('in', { qos: 2 }).subscribe((m) => seen.push(`${m.text()} dup=${m.dup}`));
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [2] });
    server.send(inbound({ qos: 2, packetId: 11, payload: new TextEncoder().encode('once') }));
    expect(await server.expect('pubrec')).toMatchObject({ packetId: 11 });
    server.send(inbound({ qos: 2, packetId: 11, dup: true, payload: new TextEncoder().encode('once') }));
    expect(await server.expect('pubrec')).toMatchObject({ packetId: 11 });
    server.send({ type: 'pubrel', packetId: 11 });
    expect(await server.expect('pubcomp')).toMatchObject({ packetId: 11 });
    await marker(client, server);
    expect(seen).toEqual(['once dup=false']);
  });
});

describe('outbound QoS 2', () => {
  it('PUBLISH, PUBREC, PUBREL, PUBCOMP, then the publish completes', async () => {
    const { client, server } = await connectedPair();
    let done = false;
    const result = client.publishAsync('q2', 'x', { qos: 2 }).then(() => (done = true));
    const publish = await server.expect('publish');
    expect(publish).toMatchObject({ topic: 'q2', qos: 2, dup: false });
    server.send({ type: 'pubrec', packetId: publish.packetId ?? 0 });
    expect(await server.expect('pubrel')).toMatchObject({ packetId: publish.packetId });
    expect(done).toBe(false);
    server.send({ type: 'pubcomp', packetId: publish.packetId ?? 0 });
    await result;
  });

  it('a PUBREC failure code ends the flow with PublishFailedError and no PUBREL', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    const result = client.publishAsync('q2', 'x', { qos: 2 }).catch((e: unknown) => e);
    const publish = await server.expect('publish');
    server.send({ type: 'pubrec', packetId: publish.packetId ?? 0, reasonCode: 0x80, properties: { reasonString: 'no' } });
    const error = (await result) as PublishFailedError;
    expect(error).toBeInstanceOf(PublishFailedError);
    expect([error.reasonCode, error.reasonString]).toEqual([0x80, 'no']);
    await marker(client, server);
  });
});

describe('unexpected acknowledgements', () => {
  it('answers a PUBREC for an unknown identifier with PUBREL 0x92 (MQTT 5), and ignores a stray PUBACK', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    server.send({ type: 'puback', packetId: 41 });
    server.send({ type: 'pubrec', packetId: 42 });
    expect(await server.expect('pubrel')).toMatchObject({ packetId: 42, reasonCode: 0x92 });
    await marker(client, server);
  });
});

describe('Receive Maximum and packet identifiers', () => {
  it('never has more QoS 1/2 publishes in flight than the CONNACK allows; the rest wait in order', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 }, { properties: { receiveMaximum: 2 } });
    const results = ['a', 'b', 'c', 'd'].map((p, i) => client.publishAsync('rm', p, { qos: (i % 2) + 1 as 1 | 2 }));
    const first = await server.expect('publish');
    const second = await server.expect('publish');
    expect([text(first.payload), text(second.payload)]).toEqual(['a', 'b']);
    await marker(client, server); // 'c' was held back
    server.send({ type: 'puback', packetId: first.packetId ?? 0 });
    const third = await server.expect('publish');
    expect(text(third.payload)).toBe('c');
    expect(third.packetId).not.toBe(second.packetId);
    await marker(client, server); // 'd' still waits: 'b' and 'c' are in flight
    server.send({ type: 'pubrec', packetId: second.packetId ?? 0 });
    expect(await server.expect('pubrel')).toMatchObject({ packetId: second.packetId });
    await marker(client, server); // PUBREC does not free the slot; PUBCOMP does
    server.send({ type: 'pubcomp', packetId: second.packetId ?? 0 });
    const fourth = await server.expect('publish');
    expect(text(fourth.payload)).toBe('d');
    server.send({ type: 'puback', packetId: third.packetId ?? 0 });
    server.send({ type: 'pubrec', packetId: fourth.packetId ?? 0 });
    await server.expect('pubrel');
    server.send({ type: 'pubcomp', packetId: fourth.packetId ?? 0 });
    await Promise.all(results);
  });

  it('unsubscribing from a publish still waiting for a slot drops it: it is never sent', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 }, { properties: { receiveMaximum: 1 } });
    const first = client.publishAsync('rm', 'first', { qos: 1 });
    const dropped = client.publish('rm', 'dropped', { qos: 1 }).subscribe();
    const sent = await server.expect('publish');
    dropped.unsubscribe();
    server.send({ type: 'puback', packetId: sent.packetId ?? 0 });
    await first;
    await marker(client, server);
  });

  it('does not reuse the identifier of a message still in flight', async () => {
    const { client, server } = await connectedPair();
    const stillHeld = client.publishAsync('held', 'x', { qos: 1 }).catch((e: unknown) => e);
    const held = await server.expect('publish');
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const done = client.publishAsync('quick', String(i), { qos: 1 });
      const p = await server.expect('publish');
      ids.push(p.packetId ?? 0);
      server.send({ type: 'puback', packetId: p.packetId ?? 0 });
      await done;
    }
    expect(ids).not.toContain(held.packetId);
    expect(ids.every((id) => id > 0)).toBe(true);
    server.send({ type: 'puback', packetId: held.packetId ?? 0 });
    expect(await stillHeld).toBeUndefined();
  });
});

describe('MQTT 5 properties honoured', () => {
  it('resolves inbound topic aliases within our Topic Alias Maximum', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5, properties: { topicAliasMaximum: 3 } });
    const { messages } = await subscribed(client, server, 'alias/#', 2, 0);
    server.send(inbound({ topic: 'alias/long/name', properties: { topicAlias: 3 } }));
    server.send(inbound({ topic: '', properties: { topicAlias: 3 } }));
    expect((await messages).map((m) => m.topic)).toEqual(['alias/long/name', 'alias/long/name']);
  });

  it('closes with ProtocolError and DISCONNECT 0x94 for an alias above our maximum', async () => {
    const { client, server } = await connectedPair({ reconnect: false,  protocolVersion: 5, properties: { topicAliasMaximum: 3 } });
    server.send(inbound({ topic: 'x', properties: { topicAlias: 4 } }));
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x94 });
    const state = await closedState(client);
    expect(state.status === 'closed' && state.error).toBeInstanceOf(ProtocolError);
  });

  it('closes with DISCONNECT 0x82 for an alias that was never set', async () => {
    const { client, server } = await connectedPair({ reconnect: false,  protocolVersion: 5, properties: { topicAliasMaximum: 3 } });
    server.send(inbound({ topic: '', properties: { topicAlias: 2 } }));
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x82 });
    await closedState(client);
  });

  it("refuses a publish larger than the server's Maximum Packet Size before sending it", async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 }, { properties: { maximumPacketSize: 64 } });
    const error = await client.publishAsync('big', new Uint8Array(100), { qos: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('payload');
    await marker(client, server);
    // The identifier was released: the next QoS 1 publish goes out normally.
    const next = client.publishAsync('small', 'ok', { qos: 1 });
    const p = await server.expect('publish');
    server.send({ type: 'puback', packetId: p.packetId ?? 0 });
    await next;
  });

  it('closes with DecodeError and DISCONNECT 0x95 when the server exceeds our Maximum Packet Size', async () => {
    const { client, server } = await connectedPair({ reconnect: false,  protocolVersion: 5, properties: { maximumPacketSize: 64 } });
    server.send(inbound({ topic: 'big', payload: new Uint8Array(100) }));
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x95 });
    const state = await closedState(client);
    expect(state.status === 'closed' && state.error).toBeInstanceOf(DecodeError);
  });

  it("errors a publish above the server's Maximum QoS or a retained one without Retain Available", async () => {
    const { client } = await connectedPair({ protocolVersion: 5 }, { properties: { maximumQoS: 1, retainAvailable: false } });
    await expect(client.publishAsync('t', 'x', { qos: 2 })).rejects.toMatchObject({ argument: 'options.qos', specRef: 'MQTT-3.2.2-11' });
    await expect(client.publishAsync('t', 'x', { retain: true })).rejects.toMatchObject({ argument: 'options.retain' });
  });

  it('a server DISCONNECT closes with ConnectionClosedError carrying its reason code and string', async () => {
    const { client, server } = await connectedPair({ reconnect: false,  protocolVersion: 5 });
    const pending = lastValueFrom(client.subscribe('t')).catch((e: unknown) => e);
    await server.expect('subscribe');
    server.send({ type: 'disconnect', reasonCode: 0x8b, properties: { reasonString: 'shutting down' } });
    const state = await closedState(client);
    const error = state.status === 'closed' ? (state.error as ConnectionClosedError) : undefined;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error?.reasonCode).toBe(0x8b);
    expect(error?.message).toContain('shutting down');
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
  });

  it('uses the Server Keep Alive instead of its own', async () => {
    const { server } = await connectedPair({ protocolVersion: 5, keepalive: 600 }, { properties: { serverKeepAlive: 1 } });
    await server.expect('pingreq', 3000);
    server.send({ type: 'pingresp' });
  });
});

describe('keep alive', () => {
  it('sends PINGREQ when idle and closes with TimeoutError KEEPALIVE_TIMEOUT when no answer comes', async () => {
    const { client, server } = await connectedPair({ reconnect: false,  keepalive: 1, pingTimeout: 100 });
    await server.expect('pingreq', 3000);
    const state = await closedState(client);
    expect(state.status === 'closed' && state.error).toMatchObject({ code: 'KEEPALIVE_TIMEOUT' });
    expect(state.status === 'closed' && state.error).toBeInstanceOf(TimeoutError);
  });
});

describe('malformed bytes', () => {
  it('close the connection with a DecodeError instead of crashing', async () => {
    const { client, server } = await connectedPair({ reconnect: false });
    server.sendBytes(Uint8Array.of(0x00, 0x00)); // packet type 0 is reserved
    const state = await closedState(client);
    expect(state.status === 'closed' && state.error).toBeInstanceOf(DecodeError);
    await server.closed;
  });
});

describe('disconnect', () => {
  it('waits for in-flight flows, even ones nobody listens to any more, then sends DISCONNECT', async () => {
    const { client, server } = await connectedPair();
    const abandoned = client.publish('t', 'a', { qos: 1 }).subscribe();
    const q2 = client.publishAsync('t', 'b', { qos: 2 });
    const p1 = await server.expect('publish');
    const p2 = await server.expect('publish');
    abandoned.unsubscribe(); // after sending: the PUBACK is still awaited
    let closed = false;
    const disconnecting = client.disconnect({ timeout: 5000 }).then(() => (closed = true));
    expect(await firstValueFrom(client.state$)).toEqual({ status: 'disconnecting' });
    server.send({ type: 'puback', packetId: p1.packetId ?? 0 });
    server.send({ type: 'pubrec', packetId: p2.packetId ?? 0 });
    await server.expect('pubrel');
    expect(closed).toBe(false);
    server.send({ type: 'pubcomp', packetId: p2.packetId ?? 0 });
    await q2;
    expect(await server.expect('disconnect')).toMatchObject({ type: 'disconnect' });
    await disconnecting;
    expect(await firstValueFrom(client.state$)).toEqual({ status: 'closed' });
    await server.closed;
  });

  it('gives up waiting after the timeout: DISCONNECT goes out and the publish fails with ConnectionClosedError', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    const pending = client.publishAsync('t', 'x', { qos: 1 }).catch((e: unknown) => e);
    await server.expect('publish');
    await client.disconnect({ timeout: 20, reasonCode: 0x04 });
    expect(await server.expect('disconnect')).toMatchObject({ reasonCode: 0x04 });
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
  });

  it('completes subscriptions on a clean disconnect', async () => {
    const { client, server } = await connectedPair();
    const all = lastValueFrom(client.subscribe('t').pipe(toArray()));
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [0] });
    await client.disconnect();
    await expect(all).resolves.toEqual([]);
  });
});

describe('a stored session', () => {
  it('resends what the store holds when the server has the session: PUBLISH with DUP, and PUBREL', async () => {
    const store = new MemoryInFlightStore();
    const payload = new TextEncoder().encode('again');
    store.putOutbound({ packet: { type: 'publish', topic: 'r', payload, qos: 1, retain: false, dup: false, packetId: 7 }, state: 'publish' });
    store.putOutbound({ packet: { type: 'publish', topic: 'r', payload, qos: 2, retain: false, dup: false, packetId: 8 }, state: 'pubrel' });
    const { client, server } = await connectedPair({ clean: false, store }, { sessionPresent: true });
    expect(await server.expect('publish')).toMatchObject({ packetId: 7, dup: true, topic: 'r' });
    expect(await server.expect('pubrel')).toMatchObject({ packetId: 8 });
    server.send({ type: 'puback', packetId: 7 });
    server.send({ type: 'pubcomp', packetId: 8 });
    await marker(client, server);
    expect([...store.outbound()]).toEqual([]);
  });

  it('without a session on the server: forgets inbound ids, sends stored unacknowledged PUBLISHes again as new messages', async () => {
    const store = new MemoryInFlightStore();
    store.addInbound(3);
    store.putOutbound({ packet: { type: 'publish', topic: 'r', payload: new Uint8Array(0), qos: 1, retain: false, dup: false, packetId: 7 }, state: 'publish' });
    store.putOutbound({ packet: { type: 'publish', topic: 'r2', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, packetId: 9 }, state: 'pubrel' });
    const { client, server } = await connectedPair({ clean: false, store }, { sessionPresent: false });
    const again = await server.expect('publish');
    expect(again).toMatchObject({ topic: 'r', dup: false, qos: 1 });
    expect([...store.inbound()]).toEqual([]);
    expect([...store.outbound()].map((e) => [e.packet.topic, e.packet.packetId])).toEqual([['r', again.packetId]]);
    server.send({ type: 'puback', packetId: again.packetId ?? 0 });
    await marker(client, server); // and no PUBREL for r2: without the session it means nothing
    expect([...store.outbound(), ...store.inbound()]).toEqual([]);
  });
});
