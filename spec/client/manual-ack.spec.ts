/**
 * Manual acknowledgement through the client, against scripted servers (one per connection) that
 * assert the exact packets in order.
 */
import { filter, firstValueFrom, Subject } from 'rxjs';
import type { ConnackPacket, PublishPacket, QoS } from '../../lib/codec/packet.js';
import { connect } from '../../lib/client/connect.js';
import type { ClientOptions } from '../../lib/client/client-options.js';
import type { ClientState, MqttClient } from '../../lib/client/mqtt-client.js';
import type { MqttMessage } from '../../lib/client/mqtt-message.js';
import { ConnectionClosedError, InvalidArgumentError } from '../../lib/errors.js';
import { ackAfter } from '../../lib/operators/ack-after.js';
import { topicPattern } from '../../lib/session/topic-pattern.js';
import { memoryTransportFactory } from '../../lib/transport/memory-transport.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';

/** A transport factory whose every connection is a new scripted peer, handed out in order. */
class Servers {
  private readonly ready: ScriptedPeer[] = [];
  private readonly waiting: ((peer: ScriptedPeer) => void)[] = [];
  readonly transport = memoryTransportFactory((server) => {
    const peer = new ScriptedPeer(server);
    const waiter = this.waiting.shift();
    if (waiter) waiter(peer);
    else this.ready.push(peer);
  });

  next(): Promise<ScriptedPeer> {
    const ready = this.ready.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async accept(connack: Partial<ConnackPacket> = {}): Promise<ScriptedPeer> {
    const peer = await this.next();
    await peer.expect('connect');
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, ...connack });
    return peer;
  }
}

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});

async function start(options: ClientOptions = {}): Promise<{ client: MqttClient; servers: Servers; server: ScriptedPeer; states: ClientState[] }> {
  const servers = new Servers();
  const client = connect({ reconnect: { minDelay: 1, maxDelay: 1, random: () => 0 }, ...options, transport: servers.transport });
  clients.push(client);
  const states: ClientState[] = [];
  client.state$.subscribe((s) => states.push(s));
  const server = await servers.accept();
  await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'connected')));
  return { client, servers, server, states };
}

const inbound = (packetId: number, qos: QoS = 1, topic = 'jobs/a', dup = false): PublishPacket => ({
  type: 'publish',
  topic,
  payload: new TextEncoder().encode(`m${packetId}`),
  qos,
  retain: false,
  dup,
  packetId: qos === 0 ? undefined : packetId,
});

/** Collects the messages of a subscription; `arrived(n)` resolves once n arrived. */
function collect<M>(source: { subscribe: (o: { next: (m: M) => void; error?: (e: unknown) => void }) => unknown }) {
  const messages: M[] = [];
  const changed = new Subject<void>();
  const errors: unknown[] = [];
  const subscription = source.subscribe({
    next: (m) => {
      messages.push(m);
      changed.next();
    },
    error: (e) => errors.push(e),
  }) as { unsubscribe(): void };
  const arrived = (n: number): Promise<void> =>
    messages.length >= n ? Promise.resolve() : firstValueFrom(changed.pipe(filter(() => messages.length >= n))).then(() => undefined);
  return { messages, arrived, errors, subscription };
}

async function suback(server: ScriptedPeer, qos: QoS = 1): Promise<void> {
  const s = await server.expect('subscribe');
  server.send({ type: 'suback', packetId: s.packetId, reasonCodes: s.subscriptions.map(() => qos) });
}

/** A QoS 0 publish goes out at once: the next packet the server sees is it, so nothing else was sent before. */
async function nothingSentBefore(client: MqttClient, server: ScriptedPeer): Promise<void> {
  await client.publishAsync('marker', '');
  const next = await server.expect('publish');
  expect(next.topic).toBe('marker');
}

describe("subscribe(..., { ack: 'manual' })", () => {
  it('sends PUBACK only after ack(), in arrival order whatever order the application acks in [MQTT-4.6.0-2]', async () => {
    const { client, server } = await start();
    const sub = collect<MqttMessage>(client.subscribe('jobs/#', { qos: 1, ack: 'manual' }));
    await suback(server);
    for (const id of [11, 12, 13]) server.send(inbound(id));
    await sub.arrived(3);
    await nothingSentBefore(client, server);
    sub.messages[2].ack();
    sub.messages[1].ack();
    await nothingSentBefore(client, server); // 12 and 13 wait for 11
    sub.messages[0].ack();
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 11 });
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 12 });
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 13 });
    sub.messages[0].ack(); // idempotent
    await nothingSentBefore(client, server);
  });

  it('acknowledges a message matching several observers once every manual one acked it; auto ones count on delivery', async () => {
    const { client, server } = await start();
    const a = collect<MqttMessage>(client.subscribe('jobs/#', { qos: 1, ack: 'manual' }));
    await suback(server);
    const b = collect<MqttMessage>(client.subscribe('jobs/+', { qos: 1, ack: 'manual' }));
    await suback(server);
    const auto = collect<MqttMessage>(client.subscribe('jobs/a', { qos: 1 }));
    await suback(server);
    server.send(inbound(5));
    await Promise.all([a.arrived(1), b.arrived(1), auto.arrived(1)]);
    auto.messages[0].ack(); // an auto observer's ack does nothing
    a.messages[0].ack();
    a.messages[0].ack(); // twice by one observer still counts once
    await nothingSentBefore(client, server);
    b.messages[0].ack();
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 5 });
  });

  it("a topic pattern's message acks the original message", async () => {
    const { client, server } = await start();
    const sub = collect<MqttMessage<{ id: string }>>(client.subscribe(topicPattern('jobs/:id'), { qos: 1, ack: 'manual' }));
    await suback(server);
    server.send(inbound(8));
    await sub.arrived(1);
    expect(sub.messages[0].params.id).toBe('a');
    await nothingSentBefore(client, server);
    sub.messages[0].ack();
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 8 });
  });

  it('QoS 2: PUBREC only after ack(), then PUBREL is answered with PUBCOMP', async () => {
    const { client, server } = await start();
    const sub = collect<MqttMessage>(client.subscribe('jobs/#', { qos: 2, ack: 'manual' }));
    await suback(server, 2);
    server.send(inbound(21, 2));
    await sub.arrived(1);
    await nothingSentBefore(client, server);
    sub.messages[0].ack();
    expect(await server.expect('pubrec')).toEqual({ type: 'pubrec', packetId: 21 });
    server.send({ type: 'pubrel', packetId: 21 });
    expect(await server.expect('pubcomp')).toEqual({ type: 'pubcomp', packetId: 21 });
  });

  it('QoS 0: ack() sends nothing', async () => {
    const { client, server } = await start();
    const sub = collect<MqttMessage>(client.subscribe('jobs/#', { qos: 1, ack: 'manual' }));
    await suback(server);
    server.send(inbound(0, 0));
    await sub.arrived(1);
    sub.messages[0].ack();
    await nothingSentBefore(client, server);
  });

  it('a message not acked when the connection drops is never acknowledged; the resumed session delivers it again', async () => {
    const { client, servers, server } = await start({ clean: false, clientId: 'manual-1' });
    const sub = collect<MqttMessage>(client.subscribe('jobs/#', { qos: 1, ack: 'manual' }));
    await suback(server);
    server.send(inbound(31));
    server.send(inbound(32, 2));
    await sub.arrived(2);
    server.fail();
    const second = await servers.accept({ sessionPresent: true });
    sub.messages[0].ack(); // belongs to the lost connection: no effect
    sub.messages[1].ack();
    await nothingSentBefore(client, second);
    second.send(inbound(31, 1, 'jobs/a', true));
    second.send(inbound(32, 2, 'jobs/a', true)); // not recorded (never acked): delivered again
    await sub.arrived(4);
    expect(sub.messages.slice(2).map((m) => [m.dup, m.text()])).toEqual([
      [true, 'm31'],
      [true, 'm32'],
    ]);
    sub.messages[3].ack();
    sub.messages[2].ack();
    expect(await second.expect('puback')).toEqual({ type: 'puback', packetId: 31 });
    expect(await second.expect('pubrec')).toEqual({ type: 'pubrec', packetId: 32 });
  });

  it('a manual observer leaving with unacked messages recycles the connection (UNACKED_ABANDONED), so later acks never stall', async () => {
    const { client, servers, server, states } = await start({ clean: false, clientId: 'manual-2' });
    const leaving = collect<MqttMessage>(client.subscribe('jobs/#', { qos: 1, ack: 'manual' }));
    await suback(server);
    const staying = collect<MqttMessage>(client.subscribe('jobs/a', { qos: 1, ack: 'manual' }));
    await suback(server);
    server.send(inbound(41));
    await Promise.all([leaving.arrived(1), staying.arrived(1)]);
    staying.messages[0].ack();
    leaving.subscription.unsubscribe();
    await server.closed;
    const reconnecting = states.find((s) => s.status === 'reconnecting');
    expect(reconnecting).toBeDefined();
    const cause = (reconnecting as { cause: unknown }).cause;
    expect(cause).toBeInstanceOf(ConnectionClosedError);
    expect((cause as ConnectionClosedError).code).toBe('UNACKED_ABANDONED');
    expect(server.log.filter((p) => p.type === 'puback')).toEqual([]); // 41 was never acknowledged
    const second = await servers.accept({ sessionPresent: true });
    // The UNSUBSCRIBE lost with the recycled connection goes out on the resumed session.
    expect(await second.expect('unsubscribe')).toMatchObject({ topicFilters: ['jobs/#'] });
    second.send(inbound(41, 1, 'jobs/a', true));
    await staying.arrived(2);
    staying.messages[1].ack();
    expect(await second.expect('puback')).toEqual({ type: 'puback', packetId: 41 });
  });

  it('a manual observer that acked everything leaves with a plain UNSUBSCRIBE', async () => {
    const { client, server } = await start();
    const sub = collect<MqttMessage>(client.subscribe('jobs/#', { qos: 1, ack: 'manual' }));
    await suback(server);
    server.send(inbound(51));
    await sub.arrived(1);
    sub.messages[0].ack();
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 51 });
    sub.subscription.unsubscribe();
    expect(await server.expect('unsubscribe')).toMatchObject({ topicFilters: ['jobs/#'] });
  });

  it('ackAfter end to end: a success acks; a failure errors the stream, recycles the connection, and the resumed session redelivers', async () => {
    const { client, servers, server } = await start({ clean: false, clientId: 'manual-3' });
    let down = true;
    const processing = client.subscribe('jobs/#', { qos: 1, ack: 'manual' }).pipe(
      ackAfter(async (m) => {
        if (down && m.text() === 'm62') throw new Error('db down');
        return m.text();
      }),
    );
    const first = collect<string>(processing);
    await suback(server);
    server.send(inbound(61));
    server.send(inbound(62));
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 61 });
    await server.closed; // 62 failed: the observer left unacked, the connection was recycled
    expect(first.messages).toEqual(['m61']);
    expect((first.errors[0] as Error).message).toBe('db down');
    expect(server.log.filter((p) => p.type === 'puback')).toHaveLength(1);
    down = false;
    const again = collect<string>(processing); // the application subscribes again
    const second = await servers.accept({ sessionPresent: true });
    await suback(second);
    second.send(inbound(62, 1, 'jobs/a', true));
    expect(await second.expect('puback')).toEqual({ type: 'puback', packetId: 62 });
    expect(again.messages).toEqual(['m62']);
  });

  it('refuses an unknown ack mode with InvalidArgumentError', async () => {
    const { client } = await start();
    expect(() => client.subscribe('a', { ack: 'later' as 'manual' })).toThrow(InvalidArgumentError);
  });
});
