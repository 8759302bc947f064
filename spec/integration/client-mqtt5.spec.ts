/**
 * MQTT 5 features against a real Mosquitto whose limits are set in its config:
 * `max_inflight_messages` (CONNACK Receive Maximum), `max_packet_size` (CONNACK Maximum Packet
 * Size), `max_keepalive` (CONNACK Server Keep Alive), and an ACL that denies publishing to one
 * topic (Mosquitto answers with PUBACK/PUBREC reason code 0x87).
 * Mosquitto 2.0 sends no reason strings and no topic aliases to clients; the tests say so where
 * it matters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { connectAsync } from '../../lib/node/index.js';
import { MqttError, PublishFailedError } from '../../lib/errors.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { mosquittoPub } from '../helpers/mosquitto-clients.js';
import { tcpTap } from '../helpers/tcp-tap.js';
import { barrier, collect, stateOf, uniqueTopic } from '../helpers/client-utils.js';

type Client = Awaited<ReturnType<typeof connectAsync>>;
const RECEIVE_MAXIMUM = 5;
const MAX_PACKET = 1000;
const MAX_KEEPALIVE = 10;

describeWithMosquitto('client MQTT 5 (Mosquitto, TCP)', () => {
  let broker: MosquittoInstance;
  let aclDir: string;
  const clients: Client[] = [];
  const track = (client: Client): Client => {
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    aclDir = mkdtempSync(join(tmpdir(), 'rxmqtt-acl-'));
    const aclFile = join(aclDir, 'acl');
    writeFileSync(aclFile, 'topic readwrite #\ntopic deny forbidden/#\n');
    broker = await startMosquitto({
      extraConfig: [`max_inflight_messages ${RECEIVE_MAXIMUM}`, `max_packet_size ${MAX_PACKET}`, `max_keepalive ${MAX_KEEPALIVE}`, `acl_file ${aclFile}`],
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 2000 }).catch(() => undefined)));
  });
  afterAll(async () => {
    await broker?.dispose();
    if (aclDir) rmSync(aclDir, { recursive: true, force: true });
  });

  it('reports the CONNACK properties the server sent', async () => {
    const client = track(await connectAsync(broker.url, { protocolVersion: 5 }));
    const state = (await stateOf(client, 'connected')) as { connack: { properties?: Record<string, unknown> } };
    expect(state.connack.properties).toMatchObject({ receiveMaximum: RECEIVE_MAXIMUM, maximumPacketSize: MAX_PACKET, serverKeepAlive: MAX_KEEPALIVE });
  });

  it('keeps a session across reconnects with clean start off and a session expiry, and acknowledges what was queued', async () => {
    const clientId = `session-${process.pid}`;
    const topic = uniqueTopic('session');
    const options = { protocolVersion: 5 as const, clientId, clean: false, properties: { sessionExpiryInterval: 300 } };
    const first = track(await connectAsync(broker.url, options));
    expect(await stateOf(first, 'connected')).toMatchObject({ sessionPresent: false });
    const subscription = first.subscribe(topic, { qos: 1 }).subscribe();
    await barrier(first);
    await first.disconnect();
    subscription.unsubscribe();

    // Published while the client is away: the broker queues it in the session.
    await mosquittoPub({ host: broker.host, port: broker.port, topic, payload: 'while away', qos: 1 });

    const tap = tcpTap(broker.host, broker.port);
    const second = track(await connectAsync({ ...options, transport: tap.factory }));
    expect(await stateOf(second, 'connected')).toMatchObject({ sessionPresent: true });
    const queued = await tap.next((p) => p.dir === 'in' && p.packet.cmd === 'publish' && p.packet.topic === topic);
    const messageId = (queued.packet as { messageId?: number }).messageId;
    // The client acknowledges it even though nobody observes the topic in this client yet.
    await tap.next((p) => p.dir === 'out' && p.packet.cmd === 'puback' && p.packet.messageId === messageId);
    await second.disconnect();

    // Clean start ends the session.
    const third = track(await connectAsync(broker.url, { ...options, clean: true }));
    expect(await stateOf(third, 'connected')).toMatchObject({ sessionPresent: false });
  });

  it('does not keep a session with session expiry 0, even with clean start off', async () => {
    const options = { protocolVersion: 5 as const, clientId: `no-expiry-${process.pid}`, clean: false, properties: { sessionExpiryInterval: 0 } };
    const first = track(await connectAsync(broker.url, options));
    first.subscribe(uniqueTopic('no-expiry'), { qos: 1 }).subscribe();
    await barrier(first);
    await first.disconnect();
    const second = track(await connectAsync(broker.url, options));
    expect(await stateOf(second, 'connected')).toMatchObject({ sessionPresent: false });
  });

  it(`never has more QoS 1 publishes in flight than the server's Receive Maximum (${RECEIVE_MAXIMUM})`, async () => {
    const topic = uniqueTopic('receive-max');
    const tap = tcpTap(broker.host, broker.port);
    const client = track(await connectAsync({ transport: tap.factory, protocolVersion: 5 }));
    let inFlight = 0;
    let peak = 0;
    const watch = tap.packets$.subscribe(({ dir, packet }) => {
      if (dir === 'out' && packet.cmd === 'publish' && packet.qos > 0) peak = Math.max(peak, ++inFlight);
      if (dir === 'in' && packet.cmd === 'puback') inFlight--;
    });
    await Promise.all(Array.from({ length: 60 }, (_, i) => client.publishAsync(topic, `m${i}`, { qos: 1 })));
    watch.unsubscribe();
    expect(tap.sent('publish')).toHaveLength(60);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(RECEIVE_MAXIMUM);
    expect(tap.received('disconnect')).toEqual([]);
  });

  it(`refuses a publish bigger than the server's Maximum Packet Size (${MAX_PACKET}) before sending it`, async () => {
    const topic = uniqueTopic('max-packet');
    const tap = tcpTap(broker.host, broker.port);
    const client = track(await connectAsync({ transport: tap.factory, protocolVersion: 5 }));
    const error = await client.publishAsync(topic, new Uint8Array(MAX_PACKET + 10), { qos: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MqttError);
    // Still connected and usable; the large publish never reached the wire.
    await client.publishAsync(topic, new Uint8Array(100), { qos: 1 });
    expect(tap.sent('publish').map((p) => (p as { payload: Buffer }).payload.length)).toEqual([100]);
    expect((await firstValueFrom(client.state$)).status).toBe('connected');
  });

  it('announces its own Maximum Packet Size, and the server drops messages too big for it [MQTT-3.1.2-25]', async () => {
    const topic = uniqueTopic('own-max');
    const tap = tcpTap(broker.host, broker.port);
    const small = track(await connectAsync({ transport: tap.factory, protocolVersion: 5, properties: { maximumPacketSize: 300 } }));
    expect(tap.sent('connect')[0]).toMatchObject({ properties: { maximumPacketSize: 300 } });
    const received = collect(small.subscribe(topic, { qos: 1 }), 2);
    await barrier(small);
    const publisher = track(await connectAsync(broker.url, { protocolVersion: 5 }));
    await publisher.publishAsync(topic, new Uint8Array(250), { qos: 1 });
    await publisher.publishAsync(topic, new Uint8Array(600), { qos: 1 });
    await publisher.publishAsync(topic, 'marker', { qos: 1 });
    const [first, second] = await received;
    expect(first?.payload.length).toBe(250);
    expect(second?.text()).toBe('marker');
    expect(tap.received('publish').every((p) => (p as { payload: Buffer }).payload.length < 300)).toBe(true);
  });

  it('round-trips user properties and the other publish properties', async () => {
    const topic = uniqueTopic('props');
    const [publisher, subscriber] = [track(await connectAsync(broker.url, { protocolVersion: 5 })), track(await connectAsync(broker.url, { protocolVersion: 5 }))];
    const received = collect(subscriber.subscribe(topic, { qos: 2 }), 2);
    await barrier(subscriber);
    const userProperties = [['a', '1'], ['a', '2'], ['unicode', 'ä€😀']] as const;
    const correlationData = new Uint8Array([9, 8, 7]);
    await publisher.publishAsync(topic, '{"x":1}', {
      qos: 2,
      properties: { userProperties, contentType: 'application/json', responseTopic: 'replies/here', correlationData, payloadFormatIndicator: 1, messageExpiryInterval: 600 },
    });
    await mosquittoPub({ host: broker.host, port: broker.port, topic, payload: 'from cli', qos: 1, protocolVersion: 5, properties: [['publish', 'user-property', 'k', 'v']] });
    const [ours, theirs] = await received;
    expect(ours?.properties).toMatchObject({ userProperties, contentType: 'application/json', responseTopic: 'replies/here', payloadFormatIndicator: 1 });
    expect(Array.from(ours?.properties?.correlationData ?? [])).toEqual([9, 8, 7]);
    expect(ours?.properties?.messageExpiryInterval).toBeLessThanOrEqual(600);
    expect(theirs?.properties?.userProperties).toEqual([['k', 'v']]);
  });

  it.each([1, 2] as const)('surfaces a publish refused by the ACL at QoS %s as PublishFailedError with reason code 0x87', async (qos) => {
    const client = track(await connectAsync(broker.url, { protocolVersion: 5 }));
    const error = await client.publishAsync('forbidden/x', 'no', { qos }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PublishFailedError);
    expect((error as PublishFailedError).reasonCode).toBe(0x87);
    expect((error as PublishFailedError).topic).toBe('forbidden/x');
    // Mosquitto 2.0 sends no reason string with it.
    expect((error as PublishFailedError).reasonString).toBeUndefined();
    // The flow ended cleanly: the connection is still usable.
    await client.publishAsync(uniqueTopic('allowed'), 'yes', { qos });
  });

  it('sends an empty client id, adopts the one Mosquitto assigns, and resumes its session with it after a drop', async () => {
    const tap = tcpTap(broker.host, broker.port);
    const client = track(
      await connectAsync({
        transport: tap.factory,
        protocolVersion: 5,
        clientId: '',
        properties: { sessionExpiryInterval: 60 },
        reconnect: { minDelay: 10, maxDelay: 50 },
      }),
    );
    expect((tap.sent('connect')[0] as { clientId: string }).clientId).toBe('');
    const state = (await stateOf(client, 'connected')) as { clientId: string; connack: { properties?: { assignedClientIdentifier?: string } } };
    const assigned = state.connack.properties?.assignedClientIdentifier;
    expect(assigned).toMatch(/^auto-/); // Mosquitto's form of an assigned identifier
    expect(state.clientId).toBe(assigned);
    expect(client.clientId).toBe(assigned);

    tap.kill();
    const connack = await tap.next((p) => p.connection === 1 && p.dir === 'in' && p.packet.cmd === 'connack');
    expect(tap.sent('connect')[1]).toMatchObject({ clientId: assigned, clean: false });
    expect(connack.packet).toMatchObject({ sessionPresent: true });
    await barrier(client);
  });

  it('sends topic aliases within the Topic Alias Maximum Mosquitto grants, and receives full topic names (Mosquitto sends none)', async () => {
    const topic = uniqueTopic('alias');
    const tap = tcpTap(broker.host, broker.port);
    const client = track(await connectAsync({ transport: tap.factory, protocolVersion: 5, properties: { topicAliasMaximum: 8 } }));
    expect(tap.sent('connect')[0]).toMatchObject({ properties: { topicAliasMaximum: 8 } });
    const connack = await tap.next((p) => p.dir === 'in' && p.packet.cmd === 'connack');
    expect((connack.packet as { properties?: { topicAliasMaximum?: number } }).properties?.topicAliasMaximum).toBeGreaterThan(0);
    const received = collect(client.subscribe(topic, { qos: 1 }), 3);
    await barrier(client);
    for (let i = 0; i < 3; i++) await client.publishAsync(topic, `n${i}`, { qos: 1 });
    expect((await received).map((m) => [m.topic, m.text()])).toEqual([
      [topic, 'n0'],
      [topic, 'n1'],
      [topic, 'n2'],
    ]);
    type Pub = { topic: string; properties?: { topicAlias?: number } };
    const out = tap.log.filter((p) => p.dir === 'out' && p.packet.cmd === 'publish').map((p) => p.packet as Pub);
    const ours = out.filter((p) => p.topic === topic || p.topic === '');
    // The first carries the topic and its alias [MQTT-3.3.2-12]; the later ones the alias alone.
    expect(ours.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
      [topic, ours[0]?.properties?.topicAlias],
      ['', ours[0]?.properties?.topicAlias],
      ['', ours[0]?.properties?.topicAlias],
    ]);
    const incoming = tap.log.filter((p) => p.dir === 'in' && p.packet.cmd === 'publish' && (p.packet as Pub).properties?.topicAlias !== undefined);
    expect(incoming).toEqual([]);
  });

  it('topicAliases: false sends every topic in full', async () => {
    const topic = uniqueTopic('noalias');
    const tap = tcpTap(broker.host, broker.port);
    const client = track(await connectAsync({ transport: tap.factory, protocolVersion: 5, topicAliases: false }));
    for (let i = 0; i < 2; i++) await client.publishAsync(topic, `n${i}`, { qos: 1 });
    const out = tap.log.filter((p) => p.dir === 'out' && p.packet.cmd === 'publish').map((p) => p.packet as { topic: string; properties?: { topicAlias?: number } });
    expect(out.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
      [topic, undefined],
      [topic, undefined],
    ]);
  });

  it(`follows the server's keep alive (${MAX_KEEPALIVE} s) instead of its own 60 s`, async () => {
    const tap = tcpTap(broker.host, broker.port);
    const client = track(await connectAsync({ transport: tap.factory, protocolVersion: 5, keepalive: 60 }));
    expect(tap.sent('connect')[0]).toMatchObject({ keepalive: 60 });
    // With 60 s the client would stay silent far longer; with the server's 10 s it pings within it.
    await tap.next((p) => p.dir === 'out' && p.packet.cmd === 'pingreq', (MAX_KEEPALIVE + 3) * 1000);
    await tap.next((p) => p.dir === 'in' && p.packet.cmd === 'pingresp', 3000);
    expect((await firstValueFrom(client.state$)).status).toBe('connected');
  }, 20000);
});
