import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import type { MqttClient } from 'mqtt';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import { endAll, messages, mqttjs } from '../broker/mqttjs';
import { RawClient, connect311, connect5 } from '../broker/raw-client';

const CONNACK_OK_311 = [0x20, 0x02, 0x00, 0x00];

describe('broker with hand-crafted and malformed bytes', () => {
  let broker: BrokerHandle;
  let bystander: MqttClient;
  let rounds = 0;
  beforeAll(async () => {
    broker = await startBroker({ port: 0, limits: { maxPacketSize: 1024, connectTimeout: 1000, receiveMaximum: 32 } });
    bystander = await mqttjs(broker.url, { protocolVersion: 5 });
    await bystander.subscribeAsync('alive', { qos: 1 });
  });
  afterAll(async () => {
    await endAll();
    await broker.close();
  });
  // After every case the other client still works: the broker closed only the offending connection.
  afterEach(async () => {
    rounds += 1;
    await bystander.publishAsync('alive', String(rounds), { qos: 1 });
    const got = await messages(bystander, rounds);
    expect(got[rounds - 1].payload).toBe(String(rounds));
  });

  async function open(): Promise<RawClient> {
    return RawClient.open(broker.port);
  }

  it('accepts a minimal 3.1.1 CONNECT (clean session, empty client id) with CONNACK 0', async () => {
    const c = await open();
    c.write(connect311());
    await c.packets(1, 4);
    expect([...c.bytes]).toEqual(CONNACK_OK_311);
    c.write([0xc0, 0x00]); // PINGREQ
    await c.packets(2, 4);
    expect([...c.bytes.subarray(4)]).toEqual([0xd0, 0x00]); // PINGRESP
    c.destroy();
  });

  it('closes a connection whose first packet is not CONNECT, without a reply [MQTT-3.1.0-1]', async () => {
    const c = await open();
    c.write([0xc0, 0x00]);
    expect([...(await c.waitClosed())]).toEqual([]);
  });

  it('answers an unsupported protocol level with CONNACK 0x01 and closes [MQTT-3.1.2-2]', async () => {
    const c = await open();
    c.write(connect311({ level: 3 }));
    expect([...(await c.waitClosed())]).toEqual([0x20, 0x02, 0x00, 0x01]);
  });

  it('answers an MQTT 3.1 (MQIsdp) CONNECT with CONNACK 0x01 and closes', async () => {
    const c = await open();
    c.write(connect311({ name: [0x00, 0x06, ...Buffer.from('MQIsdp')], level: 3, clientId: 'old' }));
    expect([...(await c.waitClosed())]).toEqual([0x20, 0x02, 0x00, 0x01]);
  });

  it('answers a malformed MQTT 5 CONNECT with a failing CONNACK and closes', async () => {
    const c = await open();
    // Session Expiry Interval twice: a property may appear only once [MQTT-2.2.2-2].
    c.write(connect5({ properties: [0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2] }));
    await c.waitClosed();
    const [connack] = await c.packets(1, 5);
    expect(connack).toMatchObject({ type: 'connack', sessionPresent: false });
    expect((connack as { reasonCode: number }).reasonCode).toBeGreaterThanOrEqual(0x80);
  });

  it('closes on a set reserved CONNECT flag [MQTT-3.1.2-3]', async () => {
    const c = await open();
    c.write(connect311({ flags: 0x03 }));
    const bytes = await c.waitClosed();
    expect(bytes.includes(Buffer.from(CONNACK_OK_311))).toBe(false);
  });

  it('refuses an empty 3.1.1 client id without clean session with CONNACK 0x02 [MQTT-3.1.3-8]', async () => {
    const c = await open();
    c.write(connect311({ flags: 0x00 }));
    expect([...(await c.waitClosed())]).toEqual([0x20, 0x02, 0x00, 0x02]);
  });

  it('closes on a second CONNECT [MQTT-3.1.0-2]', async () => {
    const c = await open();
    c.write(connect311({ clientId: 'twice' }));
    await c.packets(1, 4);
    c.write(connect311({ clientId: 'twice' }));
    await c.waitClosed();
  });

  it.each([
    ['a remaining length of five bytes', [0x30, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['a PUBLISH with a wildcard topic [MQTT-3.3.2-2]', [0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x23]],
    ['a PUBLISH with QoS 3 [MQTT-3.3.1-4]', [0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]],
    ['a SUBSCRIBE with wrong fixed header flags [MQTT-3.8.1-1]', [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]],
    ['a SUBSCRIBE with no topic filter [MQTT-3.8.3-3]', [0x82, 0x02, 0x00, 0x01]],
    ['a CONNACK from a client', [0x20, 0x02, 0x00, 0x00]],
    ['random bytes', [0xf7, 0x13, 0x00, 0x99, 0x42, 0x42, 0x42]],
  ])('closes a 3.1.1 connection on %s', async (_name, bytes) => {
    const c = await open();
    c.write(connect311());
    await c.packets(1, 4);
    c.write(bytes);
    await c.waitClosed();
    expect([...c.bytes]).toEqual(CONNACK_OK_311); // 3.1.1 has no DISCONNECT from the server
  });

  it('sends an MQTT 5 client DISCONNECT with the decode error reason code before closing', async () => {
    const c = await open();
    c.write(connect5());
    const [connack] = await c.packets(1, 5);
    expect(connack).toMatchObject({ type: 'connack', reasonCode: 0 });
    c.write([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]); // QoS 3
    await c.waitClosed();
    const packets = await c.packets(2, 5);
    expect(packets[1]).toMatchObject({ type: 'disconnect' });
    expect((packets[1] as { reasonCode: number }).reasonCode).toBeGreaterThanOrEqual(0x80);
  });

  it('refuses MQTT 5 enhanced authentication with CONNACK 0x8C and treats a stray AUTH as a protocol error', async () => {
    const c = await open();
    // Authentication Method "SCRAM-SHA-1" (property 0x15)
    c.write(connect5({ properties: [0x15, 0x00, 0x0b, ...Buffer.from('SCRAM-SHA-1')] }));
    await c.waitClosed();
    expect((await c.packets(1, 5))[0]).toMatchObject({ type: 'connack', reasonCode: 0x8c });
    const d = await open();
    d.write(connect5());
    await d.packets(1, 5);
    d.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'SCRAM-SHA-1' } }, 5);
    await d.waitClosed();
    expect((await d.packets(2, 5))[1]).toMatchObject({ type: 'disconnect', reasonCode: 0x82 });
  });

  it('sends DISCONNECT 0x95 for a packet over the maximum packet size', async () => {
    const c = await open();
    c.write(connect5());
    const [connack] = await c.packets(1, 5);
    expect(connack).toMatchObject({ properties: { maximumPacketSize: 1024 } });
    c.send({ type: 'publish', topic: 'big', payload: new Uint8Array(2000), qos: 0, retain: false, dup: false }, 5);
    await c.waitClosed();
    expect((await c.packets(2, 5))[1]).toMatchObject({ type: 'disconnect', reasonCode: 0x95 });
  });

  it('refuses a DISCONNECT that sets a session expiry after CONNECT set 0 [MQTT-3.14.2-2]', async () => {
    const c = await open();
    c.write(connect5());
    await c.packets(1, 5);
    c.send({ type: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 100 } }, 5);
    await c.waitClosed();
    expect((await c.packets(2, 5))[1]).toMatchObject({ type: 'disconnect', reasonCode: 0x82 });
  });

  it('resolves topic aliases and refuses one above the maximum', async () => {
    const sub = await mqttjs(broker.url, { protocolVersion: 5 });
    await sub.subscribeAsync('alias/#', { qos: 0 });
    const c = await open();
    c.write(connect5());
    await c.packets(1, 5);
    c.send({ type: 'publish', topic: 'alias/long/name', payload: Uint8Array.of(1), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } }, 5);
    c.send({ type: 'publish', topic: '', payload: Uint8Array.of(2), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } }, 5);
    const got = await messages(sub, 2);
    expect(got.map((m) => [m.topic, m.packet.payload[0]])).toEqual([
      ['alias/long/name', 1],
      ['alias/long/name', 2],
    ]);
    c.send({ type: 'publish', topic: 'alias/x', payload: Uint8Array.of(3), qos: 0, retain: false, dup: false, properties: { topicAlias: 1000 } }, 5);
    await c.waitClosed();
    expect((await c.packets(2, 5))[1]).toMatchObject({ type: 'disconnect', reasonCode: 0x94 });
  });

  it('routes a resent QoS 2 PUBLISH once while its id is unreleased [MQTT-4.3.3-10]', async () => {
    const sub = await mqttjs(broker.url, { protocolVersion: 4 });
    await sub.subscribeAsync('once', { qos: 2 });
    const c = await open();
    c.write(connect311({ clientId: 'qos2-once' }));
    await c.packets(1, 4);
    const publish = { type: 'publish' as const, topic: 'once', payload: Uint8Array.of(7), qos: 2 as const, retain: false, dup: false, packetId: 5 };
    c.send(publish, 4);
    c.send({ ...publish, dup: true }, 4);
    c.send({ type: 'pubrel', packetId: 5 }, 4);
    c.send({ ...publish, payload: Uint8Array.of(8) }, 4); // id 5 released: a new message
    const packets = await c.packets(5, 4);
    expect(packets.slice(1).map((p) => p.type)).toEqual(['pubrec', 'pubrec', 'pubcomp', 'pubrec']);
    const got = await messages(sub, 2);
    expect(got.map((m) => m.packet.payload[0])).toEqual([7, 8]);
    c.destroy();
  });

  it('disconnects an MQTT 5 client that exceeds the Receive Maximum with 0x93 [MQTT-3.3.4-9]', async () => {
    const c = await open();
    c.write(connect5({ clientId: 'too-many' }));
    const [connack] = await c.packets(1, 5);
    const max = (connack as { properties?: { receiveMaximum?: number } }).properties?.receiveMaximum ?? 0;
    expect(max).toBe(32);
    for (let id = 1; id <= max + 1; id++) {
      c.send({ type: 'publish', topic: 'rm/flood', payload: Uint8Array.of(1), qos: 2, retain: false, dup: false, packetId: id }, 5);
    }
    await c.waitClosed();
    const packets = await c.packets(max + 2, 5);
    expect(packets.slice(1, max + 1).every((p) => p.type === 'pubrec')).toBe(true);
    expect(packets[max + 1]).toMatchObject({ type: 'disconnect', reasonCode: 0x93 });
  });

  it("honours an MQTT 5 client's Receive Maximum", async () => {
    const c = await open();
    c.write(connect5({ clientId: 'rm1', properties: [0x21, 0x00, 0x01] })); // Receive Maximum 1
    await c.packets(1, 5);
    c.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'rm/t', qos: 1 }] }, 5);
    await c.packets(2, 5);
    const pub = await mqttjs(broker.url, { protocolVersion: 5 });
    await pub.publishAsync('rm/t', 'a', { qos: 1 });
    await pub.publishAsync('rm/t', 'b', { qos: 1 });
    // PINGRESP comes after anything the broker would have sent before it.
    c.write([0xc0, 0x00]);
    const before = await c.packets(4, 5);
    expect(before.slice(2).map((p) => p.type)).toEqual(['publish', 'pingresp']);
    const first = before[2] as { packetId: number };
    c.send({ type: 'puback', packetId: first.packetId }, 5);
    const after = await c.packets(5, 5);
    expect(after[4]).toMatchObject({ type: 'publish', qos: 1 });
    expect(new TextDecoder().decode((after[4] as { payload: Uint8Array }).payload)).toBe('b');
    c.destroy();
  });

  it('closes a client that stays silent past 1.5 times its keep alive [MQTT-3.1.2-24]', async () => {
    const errors = firstValueFrom(broker.clientDisconnected$.pipe(filter((e) => e.clientId === 'sleepy'), take(1), timeout(5000)));
    const c = await open();
    c.write(connect311({ clientId: 'sleepy', keepAlive: 1 }));
    await c.packets(1, 4);
    await c.waitClosed();
    expect((await errors).error?.code).toBe('KEEPALIVE_TIMEOUT');
  });

  it('drops a connection that sends no CONNECT within the connect timeout', async () => {
    const c = await open();
    await c.waitClosed();
    expect(c.bytes.length).toBe(0);
  });

  it('reports malformed input as connectionError events and still accepts new clients', async () => {
    const events = firstValueFrom(broker.events$.pipe(filter((e) => e.type === 'connectionError'), take(2), toArray(), timeout(5000)));
    const a = await open();
    a.write([0x10, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const b = await open();
    b.write(connect311({ level: 9 }));
    await Promise.all([a.waitClosed(), b.waitClosed()]);
    const codes = (await events).map((e) => (e.type === 'connectionError' ? e.error.code : ''));
    expect(codes.every((code) => code.startsWith('DECODE_'))).toBe(true);
    const fresh = await mqttjs(broker.url, { protocolVersion: 4 });
    expect(fresh.connected).toBe(true);
  });
});
