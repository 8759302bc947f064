/**
 * Reconnect, subscriptions that survive, session resume and the offline queue, through the client
 * against scripted servers (one per connection) that assert the exact packets in order.
 */
import { firstValueFrom, lastValueFrom, Subject, take, throwError, toArray, type Observable } from 'rxjs';
import type { ConnackPacket, ConnectPacket, PublishPacket } from '../../lib/codec/packet.js';
import { connect, connectAsync } from '../../lib/client/connect.js';
import type { ClientOptions } from '../../lib/client/client-options.js';
import type { ClientState, MqttClient } from '../../lib/client/mqtt-client.js';
import type { MqttMessage } from '../../lib/client/mqtt-message.js';
import { ConnectionClosedError, ConnectRefusedError, QueueFullError, TransportError } from '../../lib/errors.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import { memoryTransportFactory } from '../../lib/transport/memory-transport.js';
import type { Transport } from '../../lib/transport/transport.js';
import { stateOf } from '../helpers/client-utils.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const fast = { minDelay: 1, maxDelay: 1 };

/** A transport factory whose every connection is a new scripted peer, handed out in order. */
class Servers {
  connections = 0;
  private readonly ready: ScriptedPeer[] = [];
  private readonly waiting: ((peer: ScriptedPeer) => void)[] = [];
  readonly transport = memoryTransportFactory((server) => {
    this.connections++;
    const peer = new ScriptedPeer(server);
    const waiter = this.waiting.shift();
    if (waiter) waiter(peer);
    else this.ready.push(peer);
  });

  next(ms = 2000): Promise<ScriptedPeer> {
    const ready = this.ready.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection within ${ms} ms`)), ms);
      this.waiting.push((peer) => {
        clearTimeout(timer);
        resolve(peer);
      });
    });
  }

  /** Takes the next connection, expects CONNECT and answers CONNACK. */
  async accept(connack: Partial<ConnackPacket> = {}): Promise<{ peer: ScriptedPeer; connect: ConnectPacket }> {
    const peer = await this.next();
    const connectPacket = await peer.expect('connect');
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, ...connack });
    return { peer, connect: connectPacket };
  }
}

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});

function start(options: ClientOptions): { client: MqttClient; servers: Servers; states: ClientState[] } {
  const servers = new Servers();
  const client = connect({ reconnect: { ...fast, random: () => 0 }, ...options, transport: servers.transport });
  clients.push(client);
  const states: ClientState[] = [];
  client.state$.subscribe((s) => states.push(s));
  return { client, servers, states };
}

/** A QoS 0 publish goes out at once, so it marks "the client sent nothing else before this". */
async function marker(client: MqttClient, peer: ScriptedPeer): Promise<void> {
  await client.publishAsync('marker', '');
  expect(await peer.expect('publish')).toMatchObject({ topic: 'marker' });
}

const inbound = (topic: string, extra: Partial<PublishPacket> = {}): PublishPacket => ({
  type: 'publish',
  topic,
  payload: bytes(topic),
  qos: 0,
  retain: false,
  dup: false,
  ...extra,
});

/**
 * A persistent client subscribed to `in` at QoS 2 that received a QoS 2 PUBLISH with `packetId`
 * and answered PUBREC, whose connection was then lost (before any PUBREL).
 */
async function inboundQos2Received(packetId: number): Promise<{ servers: Servers; messages: MqttMessage[] }> {
  const { client, servers } = start({ clean: false });
  const first = await servers.accept();
  const messages: MqttMessage[] = [];
  client.subscribe('in', { qos: 2 }).subscribe((m) => messages.push(m));
  const sub = await first.peer.expect('subscribe');
  first.peer.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [2] });
  first.peer.send(inbound('in', { qos: 2, packetId }));
  expect(await first.peer.expect('pubrec')).toEqual({ type: 'pubrec', packetId });
  first.peer.fail();
  return { servers, messages };
}

describe('reconnect after a transport error, session resumed (sessionPresent true)', () => {
  it('does not resubscribe, resends unacknowledged PUBLISH (DUP, same id) and PUBREL in original order, and keeps publishes pending', async () => {
    const { client, servers, states } = start({ clean: false, clientId: 'keeper' });
    const first = await servers.accept();
    const messages: MqttMessage[] = [];
    client.subscribe('a/#', { qos: 1 }).subscribe((m) => messages.push(m));
    const sub = await first.peer.expect('subscribe');
    first.peer.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [1] });

    const outcomes: string[] = [];
    const track = (name: string, p: Promise<void>): void => void p.then(() => outcomes.push(`${name} done`), (e: unknown) => outcomes.push(`${name} ${String(e)}`));
    track('p1', client.publishAsync('p1', 'one', { qos: 1 }));
    track('p2', client.publishAsync('p2', 'two', { qos: 2 }));
    track('p3', client.publishAsync('p3', 'three', { qos: 2 }));
    const [p1, p2, p3] = [await first.peer.expect('publish'), await first.peer.expect('publish'), await first.peer.expect('publish')];
    first.peer.send({ type: 'pubrec', packetId: p2.packetId ?? 0 });
    expect(await first.peer.expect('pubrel')).toEqual({ type: 'pubrel', packetId: p2.packetId });
    first.peer.fail();

    const reconnecting = await stateOf(client, 'reconnecting');
    expect(reconnecting).toMatchObject({ attempt: 1, delay: 1 });
    expect((reconnecting as { cause: unknown }).cause).toBeInstanceOf(TransportError);
    const second = await servers.accept({ sessionPresent: true });
    expect(second.connect).toMatchObject({ clientId: 'keeper', cleanStart: false });
    // The broker delivers a message queued for the session right after CONNACK: the observer gets it.
    second.peer.send(inbound('a/queued', { qos: 1, packetId: 40 }));

    expect(await second.peer.expect('publish')).toEqual({ ...p1, dup: true });
    expect(await second.peer.expect('pubrel')).toEqual({ type: 'pubrel', packetId: p2.packetId });
    expect(await second.peer.expect('publish')).toEqual({ ...p3, dup: true });
    expect(await second.peer.expect('puback')).toEqual({ type: 'puback', packetId: 40 });
    expect(outcomes).toEqual([]);
    second.peer.send({ type: 'puback', packetId: p1.packetId ?? 0 });
    second.peer.send({ type: 'pubcomp', packetId: p2.packetId ?? 0 });
    second.peer.send({ type: 'pubrec', packetId: p3.packetId ?? 0 });
    expect(await second.peer.expect('pubrel')).toEqual({ type: 'pubrel', packetId: p3.packetId });
    second.peer.send({ type: 'pubcomp', packetId: p3.packetId ?? 0 });
    await marker(client, second.peer); // no SUBSCRIBE went out before it
    expect(outcomes.sort()).toEqual(['p1 done', 'p2 done', 'p3 done']);
    expect(messages.map((m) => m.topic)).toEqual(['a/queued']);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'reconnecting', 'connecting', 'connected']);
    expect(states[4]).toMatchObject({ sessionPresent: true });
  });

  it('delivers an inbound QoS 2 message once when the broker resends it after the reconnect', async () => {
    const { servers, messages } = await inboundQos2Received(5);
    const second = await servers.accept({ sessionPresent: true });
    second.peer.send(inbound('in', { qos: 2, packetId: 5, dup: true }));
    expect(await second.peer.expect('pubrec')).toEqual({ type: 'pubrec', packetId: 5 });
    second.peer.send({ type: 'pubrel', packetId: 5 });
    expect(await second.peer.expect('pubcomp')).toEqual({ type: 'pubcomp', packetId: 5 });
    expect(messages.map((m) => [m.topic, m.dup])).toEqual([['in', false]]);
  });

  // The client's side of the Mosquitto 2.0.11 duplicates (docs/reliability.md): once PUBCOMP is
  // sent the identifier is free, and a PUBLISH carrying it is a new message [MQTT-4.3.3-12], even
  // with DUP set (a new message the broker had sent on a link that died before it arrived looks the
  // same). The client holds the identifier across every reconnect until then, however many.
  it('holds an inbound QoS 2 id across two reconnects until PUBREL, then takes the id as a new message', async () => {
    const { servers, messages } = await inboundQos2Received(7);
    const second = await servers.accept({ sessionPresent: true });
    second.peer.fail(); // a link that dies right after CONNACK
    const third = await servers.accept({ sessionPresent: true });
    third.peer.send(inbound('in', { qos: 2, packetId: 7, dup: true })); // a resend: still held
    expect(await third.peer.expect('pubrec')).toEqual({ type: 'pubrec', packetId: 7 });
    third.peer.send({ type: 'pubrel', packetId: 7 });
    expect(await third.peer.expect('pubcomp')).toEqual({ type: 'pubcomp', packetId: 7 });
    expect(messages).toHaveLength(1);
    third.peer.send(inbound('in', { qos: 2, packetId: 7, dup: true })); // after PUBCOMP: new [MQTT-4.3.3-12]
    expect(await third.peer.expect('pubrec')).toEqual({ type: 'pubrec', packetId: 7 });
    expect(messages.map((m) => [m.topic, m.dup])).toEqual([
      ['in', false],
      ['in', true],
    ]);
  });
});

describe('a store left by an earlier process', () => {
  it('finishes a QoS 2 flow that stopped between PUBREC and PUBCOMP, and does not deliver a held inbound QoS 2 message again', async () => {
    const store = new MemoryInFlightStore();
    const payload = bytes('x');
    store.putOutbound({ packet: { type: 'publish', topic: 'out', payload, qos: 2, retain: false, dup: false, packetId: 12 }, state: 'pubrel' });
    store.addInbound(30);
    const { client, servers } = start({ clean: false, clientId: 'restarted', store });
    const messages: MqttMessage[] = [];
    client.subscribe('in', { qos: 2 }).subscribe((m) => messages.push(m));
    const { peer } = await servers.accept({ sessionPresent: true });
    expect(await peer.expect('pubrel')).toEqual({ type: 'pubrel', packetId: 12 });
    const s = await peer.expect('subscribe'); // never granted in this process
    peer.send({ type: 'suback', packetId: s.packetId, reasonCodes: [2] });
    peer.send({ type: 'pubcomp', packetId: 12 });
    peer.send(inbound('in', { qos: 2, packetId: 30, dup: true }));
    expect(await peer.expect('pubrec')).toEqual({ type: 'pubrec', packetId: 30 });
    peer.send({ type: 'pubrel', packetId: 30 });
    expect(await peer.expect('pubcomp')).toEqual({ type: 'pubcomp', packetId: 30 });
    await marker(client, peer);
    expect(messages).toEqual([]);
    expect([...store.outbound(), ...store.inbound()]).toEqual([]);
  });
});

describe('messages of a resumed session before the application subscribes', () => {
  it('are held and delivered to the first matching observer (e.g. subscribing after connectAsync resolved)', async () => {
    const { client, servers } = start({ clean: false, clientId: 'late' });
    const { peer } = await servers.accept({ sessionPresent: true });
    await stateOf(client, 'connected');
    peer.send(inbound('queued/1', { qos: 1, packetId: 1 }));
    expect(await peer.expect('puback')).toEqual({ type: 'puback', packetId: 1 });
    const messages: MqttMessage[] = [];
    client.subscribe('queued/#', { qos: 1 }).subscribe((m) => messages.push(m));
    expect(messages.map((m) => m.topic)).toEqual(['queued/1']);
    const s = await peer.expect('subscribe');
    expect(s.subscriptions[0].topicFilter).toBe('queued/#');
  });
});

describe('reconnect without a session (sessionPresent false)', () => {
  it('subscribes each active filter again, once, with its options; sends unacknowledged publishes as new messages', async () => {
    const { client, servers } = start({ protocolVersion: 5 });
    const first = await servers.accept();
    client.subscribe('a/#', { qos: 1, noLocal: true, retainHandling: 2 }).subscribe();
    client.subscribe('a/#', { qos: 0 }).subscribe(); // a second observer shares the filter
    client.subscribe('b', { qos: 2 }).subscribe();
    const gone = client.subscribe('c', { qos: 0 }).subscribe();
    for (let i = 0; i < 3; i++) {
      const s = await first.peer.expect('subscribe');
      first.peer.send({ type: 'suback', packetId: s.packetId, reasonCodes: [s.subscriptions[0].qos] });
    }
    gone.unsubscribe();
    const unsub = await first.peer.expect('unsubscribe');
    first.peer.send({ type: 'unsuback', packetId: unsub.packetId, reasonCodes: [0] });
    const pending = client.publishAsync('p', 'x', { qos: 1 }).then(() => 'done', (e: unknown) => e);
    expect(await first.peer.expect('publish')).toMatchObject({ topic: 'p' });
    first.peer.fail();

    const second = await servers.accept({ sessionPresent: false });
    // Subscriptions first, then the publishes that wait (sent again as new messages).
    const resubscribed = [await second.peer.expect('subscribe'), await second.peer.expect('subscribe')];
    expect(resubscribed.map((s) => s.subscriptions)).toEqual([
      [expect.objectContaining({ topicFilter: 'a/#', qos: 1, noLocal: true, retainHandling: 2 })],
      [expect.objectContaining({ topicFilter: 'b', qos: 2 })],
    ]);
    const again = await second.peer.expect('publish');
    expect(again).toMatchObject({ topic: 'p', dup: false, qos: 1 });
    expect(text(again.payload)).toBe('x');
    for (const s of resubscribed) second.peer.send({ type: 'suback', packetId: s.packetId, reasonCodes: [s.subscriptions[0].qos] });
    second.peer.send({ type: 'puback', packetId: again.packetId ?? 0 });
    expect(await pending).toBe('done');
    await marker(client, second.peer); // and nothing else: no SUBSCRIBE for 'c', no second one for 'a/#'
  });
});

describe('offline queue', () => {
  it('queues publishes made while reconnecting (QoS 0 too) and flushes them in order once connected', async () => {
    const trigger = new Subject<void>();
    const { client, servers } = start({ reconnect: { minDelay: 60_000, trigger$: trigger } });
    const first = await servers.accept();
    first.peer.fail();
    await stateOf(client, 'reconnecting');
    const done = Promise.all([
      client.publishAsync('o1', '1'),
      client.publishAsync('o2', '2', { qos: 2 }),
      client.publishAsync('o3', '3', { qos: 0 }),
      client.publishAsync('o4', '4', { qos: 1 }),
    ]);
    trigger.next();
    const { peer } = await servers.accept();
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await peer.expect('publish'));
    expect(sent.map((p) => [p.topic, p.qos, p.dup])).toEqual([
      ['o1', 0, false],
      ['o2', 2, false],
      ['o3', 0, false],
      ['o4', 1, false],
    ]);
    peer.send({ type: 'pubrec', packetId: sent[1].packetId ?? 0 });
    expect(await peer.expect('pubrel')).toMatchObject({ packetId: sent[1].packetId });
    peer.send({ type: 'pubcomp', packetId: sent[1].packetId ?? 0 });
    peer.send({ type: 'puback', packetId: sent[3].packetId ?? 0 });
    await done;
  });

  it('queued publishes fail with ConnectionClosedError when the client is closed for good', async () => {
    const { client, servers } = start({ reconnect: { minDelay: 60_000 } });
    const first = await servers.accept();
    first.peer.fail();
    await stateOf(client, 'reconnecting');
    const outcomes = Promise.all([client.publishAsync('o1', '1'), client.publishAsync('o2', '2', { qos: 1 })].map((p) => p.catch((e: unknown) => e)));
    await client.disconnect();
    expect(await outcomes).toEqual([expect.any(ConnectionClosedError), expect.any(ConnectionClosedError)]);
    expect(servers.connections).toBe(1);
  });

  it('flushes publishes made before the first connection completed, in order', async () => {
    const { client, servers } = start({});
    const done = Promise.all([client.publishAsync('o1', '1'), client.publishAsync('o2', '2', { qos: 1 }), client.publishAsync('o3', '3')]);
    const { peer } = await servers.accept();
    const sent = [await peer.expect('publish'), await peer.expect('publish'), await peer.expect('publish')];
    expect(sent.map((p) => [p.topic, p.qos])).toEqual([
      ['o1', 0],
      ['o2', 1],
      ['o3', 0],
    ]);
    peer.send({ type: 'puback', packetId: sent[1].packetId ?? 0 });
    await done;
  });

  it('refuses a publish beyond offlineQueue.maxMessages with QueueFullError (reject-new)', async () => {
    const { client, servers } = start({ offlineQueue: { maxMessages: 1 } });
    const kept = client.publishAsync('kept', '1', { qos: 1 });
    await expect(client.publishAsync('refused', '2')).rejects.toBeInstanceOf(QueueFullError);
    const { peer } = await servers.accept();
    const sent = await peer.expect('publish');
    expect(sent.topic).toBe('kept');
    peer.send({ type: 'puback', packetId: sent.packetId ?? 0 });
    await kept;
  });
});

describe('reconnect policy through the client', () => {
  it('trigger$ cuts a long wait short and reconnects at once; queued publishes go out after it', async () => {
    const trigger = new Subject<void>();
    const { client, servers } = start({ reconnect: { minDelay: 60_000, maxDelay: 60_000, trigger$: trigger } });
    const first = await servers.accept();
    first.peer.fail();
    expect(await stateOf(client, 'reconnecting')).toMatchObject({ attempt: 1, delay: 60_000 });
    const queued = client.publishAsync('while-away', 'x', { qos: 1 });
    trigger.next();
    const second = await servers.accept();
    const sent = await second.peer.expect('publish');
    expect(sent.topic).toBe('while-away');
    second.peer.send({ type: 'puback', packetId: sent.packetId ?? 0 });
    await queued;
  });

  it('gives up after maxAttempts: closed with the last error, pending publishes fail with ConnectionClosedError', async () => {
    const { client, servers, states } = start({ reconnect: { ...fast, maxAttempts: 2 } });
    const first = await servers.accept();
    first.peer.fail();
    const pending = client.publishAsync('never', 'x', { qos: 1 }).catch((e: unknown) => e);
    for (let i = 0; i < 2; i++) await servers.accept({ reasonCode: 0x03 }); // 3.1.1 Server unavailable
    const closed = await stateOf(client, 'closed');
    const error = (closed as { error?: unknown }).error;
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(0x03);
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    expect(states.map((s) => (s.status === 'reconnecting' ? `reconnecting ${s.attempt}` : s.status))).toEqual([
      'connecting',
      'connected',
      'reconnecting 1',
      'connecting',
      'reconnecting 2',
      'connecting',
      'closed',
    ]);
    expect(servers.connections).toBe(3);
  });

  it('a user disconnect() does not reconnect', async () => {
    const { client, servers, states } = start({});
    const { peer } = await servers.accept();
    await client.disconnect();
    expect(await peer.expect('disconnect')).toEqual({ type: 'disconnect' });
    await peer.closed;
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'disconnecting', 'closed']);
    expect(servers.connections).toBe(1);
  });

  it('reconnects after a server DISCONNECT (MQTT 5), with the reason as cause', async () => {
    const { client, servers } = start({ protocolVersion: 5 });
    const first = await servers.accept();
    first.peer.send({ type: 'disconnect', reasonCode: 0x8b });
    const reconnecting = await stateOf(client, 'reconnecting');
    expect((reconnecting as { cause?: unknown }).cause).toMatchObject({ code: 'SERVER_DISCONNECT', reasonCode: 0x8b });
    await servers.accept();
    await stateOf(client, 'connected');
  });

  it('reconnects after a keep alive timeout (no answer to PINGREQ)', async () => {
    const { client, servers } = start({ keepalive: 1, pingTimeout: 20 });
    const first = await servers.accept();
    expect(await first.peer.expect('pingreq', 3000)).toEqual({ type: 'pingreq' });
    const reconnecting = await stateOf(client, 'reconnecting');
    expect((reconnecting as { cause?: unknown }).cause).toMatchObject({ code: 'KEEPALIVE_TIMEOUT' });
    await servers.accept();
    await stateOf(client, 'connected');
  });

  it('a refusal of the credentials is final without beforeConnect', async () => {
    const { client, servers, states } = start({});
    await servers.accept({ reasonCode: 0x05 });
    const closed = await stateOf(client, 'closed');
    expect((closed as { error?: ConnectRefusedError }).error?.reasonCode).toBe(0x05);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'closed']);
  });

  it('after a lost connection, a refusal of the credentials is final without beforeConnect', async () => {
    const { client, servers, states } = start({});
    const first = await servers.accept();
    first.peer.fail();
    await servers.accept({ reasonCode: 0x04 }); // 3.1.1 bad user name or password
    const closed = await stateOf(client, 'closed');
    expect((closed as { error?: ConnectRefusedError }).error?.reasonCode).toBe(0x04);
    expect(servers.connections).toBe(2);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'reconnecting', 'connecting', 'closed']);
  });

  it('beforeConnect supplies fresh credentials for each CONNECT, and makes a credentials refusal retryable', async () => {
    const calls: number[] = [];
    const { client, servers } = start({
      username: 'device',
      reconnect: { ...fast, random: () => 0, retryInitialConnect: true },
      beforeConnect: async (attempt) => {
        calls.push(attempt);
        return { password: `token-${attempt}` };
      },
    });
    const refused = await servers.accept({ reasonCode: 0x05 });
    expect(refused.connect).toMatchObject({ username: 'device' });
    expect(text(refused.connect.password ?? new Uint8Array())).toBe('token-1');
    const accepted = await servers.accept();
    expect(text(accepted.connect.password ?? new Uint8Array())).toBe('token-2');
    await stateOf(client, 'connected');
    accepted.peer.fail();
    const third = await servers.accept();
    expect(text(third.connect.password ?? new Uint8Array())).toBe('token-3');
    expect(calls).toEqual([1, 2, 3]);
  });

  it('an MQTT 5 client with a session expiry reconnects with Clean Start off', async () => {
    const { servers } = start({ protocolVersion: 5, properties: { sessionExpiryInterval: 300 } });
    const first = await servers.accept();
    expect(first.connect.cleanStart).toBe(true);
    first.peer.fail();
    const second = await servers.accept({ sessionPresent: true });
    expect(second.connect).toMatchObject({ cleanStart: false, properties: { sessionExpiryInterval: 300 } });
  });

  it('subscriptions made while disconnected are sent once connected, and complete on disconnect()', async () => {
    const { client, servers } = start({});
    const all = lastValueFrom(client.subscribe('early', { qos: 1 }).pipe(take(1), toArray()));
    const { peer } = await servers.accept();
    const s = await peer.expect('subscribe');
    expect(s.subscriptions).toEqual([expect.objectContaining({ topicFilter: 'early', qos: 1 })]);
    peer.send({ type: 'suback', packetId: s.packetId, reasonCodes: [1] });
    peer.send(inbound('early'));
    expect((await all).map((m) => m.topic)).toEqual(['early']);
    expect(await firstValueFrom(client.state$)).toMatchObject({ status: 'connected' });
  });
});

describe('reconnect defaults', () => {
  it('reconnects after a lost connection when no reconnect option is given', async () => {
    const servers = new Servers();
    const client = connect({ clientId: 'default', transport: servers.transport });
    clients.push(client);
    const states: ClientState[] = [];
    client.state$.subscribe((s) => states.push(s));
    const first = await servers.accept();
    await stateOf(client, 'connected');
    first.peer.fail();
    const reconnecting = await stateOf(client, 'reconnecting');
    // Default backoff: the first wait is between minDelay (1000) and 2 * minDelay.
    expect(reconnecting).toMatchObject({ attempt: 1 });
    const { delay } = reconnecting as { delay: number };
    expect(delay).toBeGreaterThanOrEqual(1000);
    expect(delay).toBeLessThanOrEqual(2000);
    const second = await servers.accept();
    expect(second.connect.clientId).toBe('default');
    await marker(client, second.peer);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'reconnecting', 'connecting', 'connected']);
  });

  it('does not retry a failed first connection by default: connectAsync rejects with the transport error', async () => {
    let opened = 0;
    const transport = (): Observable<Transport> => {
      opened++;
      return throwError(() => new TransportError('connection refused'));
    };
    const error = await connectAsync({ transport }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(opened).toBe(1);
  });

  it('does not retry a first CONNACK refusal by default, even a transient one', async () => {
    const { client, servers, states } = start({ reconnect: true });
    await servers.accept({ reasonCode: 0x03 }); // 3.1.1 Server unavailable
    const closed = await stateOf(client, 'closed');
    expect((closed as { error?: ConnectRefusedError }).error).toBeInstanceOf(ConnectRefusedError);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'closed']);
    expect(servers.connections).toBe(1);
  });

  it('retries a failed first connection with retryInitialConnect', async () => {
    const { client, servers, states } = start({ reconnect: { ...fast, random: () => 0, retryInitialConnect: true } });
    await servers.accept({ reasonCode: 0x03 });
    const second = await servers.accept();
    await marker(client, second.peer);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'reconnecting', 'connecting', 'connected']);
  });

  it('reconnect: false closes the client when the connection is lost', async () => {
    const { client, servers, states } = start({ reconnect: false });
    const first = await servers.accept();
    await stateOf(client, 'connected');
    first.peer.fail();
    const closed = await stateOf(client, 'closed');
    expect((closed as { error?: unknown }).error).toBeInstanceOf(TransportError);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'closed']);
    expect(servers.connections).toBe(1);
  });

  it('refuses an invalid retryInitialConnect with InvalidArgumentError', () => {
    expect(() => connect({ transport: new Servers().transport, reconnect: { retryInitialConnect: 'yes' as never } })).toThrow(
      /reconnect\.retryInitialConnect/,
    );
  });
});

describe('MQTT 5 assigned client identifier', () => {
  it('sends an empty client id, adopts the Assigned Client Identifier [MQTT-3.2.2-16] and reconnects with it', async () => {
    const wire: Uint8Array[][] = [];
    const peers: ScriptedPeer[] = [];
    const waiting: ((peer: ScriptedPeer) => void)[] = [];
    const transport = memoryTransportFactory((server) => {
      const chunks: Uint8Array[] = [];
      wire.push(chunks);
      server.incoming.subscribe({ next: (c) => chunks.push(c), error: () => undefined });
      const peer = new ScriptedPeer(server);
      const waiter = waiting.shift();
      if (waiter) waiter(peer);
      else peers.push(peer);
    });
    const nextPeer = (): Promise<ScriptedPeer> => {
      const ready = peers.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    };
    const client = connect({ protocolVersion: 5, properties: { sessionExpiryInterval: 300 }, reconnect: { ...fast, random: () => 0 }, transport });
    clients.push(client);
    expect(client.clientId).toBe('');

    const first = await nextPeer();
    await first.expect('connect');
    // prettier-ignore
    expect(Array.from(concatBytes(wire[0]!))).toEqual([
      0x10, 0x17,                               // CONNECT, remaining length 23
      0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, // "MQTT", protocol version 5
      0x02,                                     // flags: Clean Start
      0x00, 0x3c,                               // Keep Alive 60
      0x0a, 0x11, 0x00, 0x00, 0x01, 0x2c,       // properties (10 bytes): Session Expiry Interval 300,
      0x27, 0x01, 0x00, 0x00, 0x00,             //   Maximum Packet Size 16 MiB (the default limit)
      0x00, 0x00,                               // Client Identifier: empty
    ]);
    first.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { assignedClientIdentifier: 'auto-1' } });
    expect(await stateOf(client, 'connected')).toMatchObject({ clientId: 'auto-1' });
    expect(client.clientId).toBe('auto-1');

    first.fail();
    const second = await nextPeer();
    await second.expect('connect');
    // prettier-ignore
    expect(Array.from(concatBytes(wire[1]!))).toEqual([
      0x10, 0x1d,                               // CONNECT, remaining length 29
      0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, // "MQTT", protocol version 5
      0x00,                                     // flags: Clean Start off, to resume the session
      0x00, 0x3c,                               // Keep Alive 60
      0x0a, 0x11, 0x00, 0x00, 0x01, 0x2c,       // properties (10 bytes): Session Expiry Interval 300,
      0x27, 0x01, 0x00, 0x00, 0x00,             //   Maximum Packet Size 16 MiB
      0x00, 0x06, 0x61, 0x75, 0x74, 0x6f, 0x2d, 0x31, // Client Identifier: "auto-1"
    ]);
    second.send({ type: 'connack', sessionPresent: true, reasonCode: 0 });
    await marker(client, second);
    expect(client.clientId).toBe('auto-1');
  });

  it('MQTT 3.1.1 without a client id still generates one', async () => {
    const { servers, client } = start({});
    const { connect: packet } = await servers.accept();
    expect(packet.clientId).toMatch(/^rxmqtt_[0-9a-f]{12}$/);
    expect(client.clientId).toBe(packet.clientId);
    expect(await stateOf(client, 'connected')).toMatchObject({ clientId: packet.clientId });
  });

  it('keeps a configured MQTT 5 client id', async () => {
    const { servers, client } = start({ protocolVersion: 5, clientId: 'mine' });
    const { connect: packet } = await servers.accept();
    expect(packet.clientId).toBe('mine');
    expect(await stateOf(client, 'connected')).toMatchObject({ clientId: 'mine' });
  });
});

function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
