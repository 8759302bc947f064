import { encode } from '../../lib/codec/encode';
import type { Packet } from '../../lib/codec/packet';
import { uniqueId } from '../broker/mqttjs';
import { RawClient } from '../broker/raw-client';
import { connected, nth, subscribeBytes, unsubscribeBytes, withBystander } from '../broker/hostile';

describe('broker strictness: filters, PUBLISH properties, acknowledgements, CONNACK size', () => {
  const s = withBystander({ port: 0 });
  const payload = new Uint8Array([1, 2, 3]);

  // [MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1] [MQTT-4.8.2-1]
  const invalid = ['a+', 'a/#/b', '#/x', 'a/b#', '+a/b', '', '$share//a', '$share/g', '$share/g+/a'];

  it.each([
    [4, 0x80],
    [5, 0x8f],
  ] as const)('refuses every invalid filter on protocol %i with SUBACK %i, granting the valid ones between them', async (version, code) => {
    const c = await connected(s.broker, version);
    const filters = [...invalid.map((f) => [f, 1] as const), ['strict/ok/+', 1] as const, ['$share/g/strict/#', 0] as const];
    c.write(subscribeBytes(version, 3, filters));
    expect(await nth(c, 2, version)).toMatchObject({ type: 'suback', packetId: 3, reasonCodes: [...invalid.map(() => code), 1, 0] });
    // The valid subscription works; nothing was subscribed for the invalid ones.
    s.broker.publish('strict/ok/1', payload, { qos: 1 });
    expect(await nth(c, 3, version)).toMatchObject({ type: 'publish', topic: 'strict/ok/1', qos: 1 });
    c.destroy();
  });

  it('answers UNSUBSCRIBE of invalid filters with 0x8F on 5.0, beside 0x11 and 0x00', async () => {
    const c = await connected(s.broker, 5);
    c.write(subscribeBytes(5, 1, [['strict/u', 0]]));
    expect(await nth(c, 2, 5)).toMatchObject({ type: 'suback', reasonCodes: [0] });
    c.write(unsubscribeBytes(5, 2, ['', 'a/#/b', 'strict/none', 'strict/u']));
    expect(await nth(c, 3, 5)).toMatchObject({ type: 'unsuback', packetId: 2, reasonCodes: [0x8f, 0x8f, 0x11, 0x00] });
    c.destroy();
  });

  it('answers a 3.1.1 UNSUBSCRIBE of invalid filters with a plain UNSUBACK and keeps the connection', async () => {
    const c = await connected(s.broker, 4);
    c.write(subscribeBytes(4, 1, [['strict/u4', 0]]));
    expect(await nth(c, 2, 4)).toMatchObject({ type: 'suback', reasonCodes: [0] });
    c.write(unsubscribeBytes(4, 2, ['', 'a+', 'strict/u4']));
    expect(await nth(c, 3, 4)).toMatchObject({ type: 'unsuback', packetId: 2 });
    // The valid filter in the same packet was removed.
    s.broker.publish('strict/u4', payload);
    c.send({ type: 'pingreq' }, 4);
    expect(await nth(c, 4, 4)).toMatchObject({ type: 'pingresp' });
    c.destroy();
  });

  it.each([
    ['a Subscription Identifier [MQTT-3.3.4-6]', { subscriptionIdentifiers: [5] }],
    ['a Response Topic with a wildcard [MQTT-3.3.2-14]', { responseTopic: 'replies/+' }],
    ['a Response Topic with #', { responseTopic: 'replies/#' }],
  ])('disconnects a 5.0 client whose PUBLISH carries %s with 0x82, routing nothing', async (_what, properties) => {
    const sub = await connected(s.broker, 5);
    sub.write(subscribeBytes(5, 1, [['strict/p', 1]]));
    expect(await nth(sub, 2, 5)).toMatchObject({ type: 'suback', reasonCodes: [1] });
    const bad = await connected(s.broker, 5);
    bad.send({ type: 'publish', topic: 'strict/p', payload, qos: 1, packetId: 1, retain: false, dup: false, properties }, 5);
    await bad.waitClosed();
    const sent = await bad.packets(2, 5);
    expect(sent.slice(1)).toEqual([expect.objectContaining({ type: 'disconnect', reasonCode: 0x82 })]);
    // The subscriber's next message is a later, valid one: the bad PUBLISH was not routed.
    s.broker.publish('strict/p', 'good', { qos: 1 });
    expect(await nth(sub, 3, 5)).toMatchObject({ type: 'publish', topic: 'strict/p', payload: new TextEncoder().encode('good') });
    sub.destroy();
  });

  it('accepts a 5.0 PUBLISH with a valid Response Topic', async () => {
    const sub = await connected(s.broker, 5);
    sub.write(subscribeBytes(5, 1, [['strict/rt', 0]]));
    await nth(sub, 2, 5);
    const pub = await connected(s.broker, 5);
    pub.send({ type: 'publish', topic: 'strict/rt', payload, qos: 1, packetId: 4, retain: false, dup: false, properties: { responseTopic: 'replies/me' } }, 5);
    expect(await nth(pub, 2, 5)).toMatchObject({ type: 'puback', packetId: 4 });
    expect(await nth(sub, 3, 5)).toMatchObject({ type: 'publish', properties: { responseTopic: 'replies/me' } });
    sub.destroy();
    pub.destroy();
  });

  describe.each([4, 5] as const)('acknowledgements of the wrong type (protocol %i)', (version) => {
    const cases: readonly [string, 1 | 2, (id: number) => Packet][] = [
      ['PUBREC for a QoS 1 message', 1, (id) => ({ type: 'pubrec', packetId: id })],
      ['PUBCOMP for a QoS 1 message', 1, (id) => ({ type: 'pubcomp', packetId: id })],
      ['PUBACK for a QoS 2 message', 2, (id) => ({ type: 'puback', packetId: id })],
      ['PUBCOMP before PUBREC for a QoS 2 message', 2, (id) => ({ type: 'pubcomp', packetId: id })],
    ];
    it.each(cases)('closes the connection on %s, with no PUBREL', async (_what, qos, ack) => {
      const topic = `strict/ack/${uniqueId('t')}`;
      const c = await connected(s.broker, version);
      c.write(subscribeBytes(version, 1, [[topic, qos]]));
      expect(await nth(c, 2, version)).toMatchObject({ type: 'suback', reasonCodes: [qos] });
      s.broker.publish(topic, payload, { qos });
      const publish = await nth(c, 3, version);
      expect(publish).toMatchObject({ type: 'publish', qos });
      c.send(ack((publish as { packetId: number }).packetId), version);
      await c.waitClosed();
      const after = (await c.packets(3, version)).slice(3);
      // 3.1.1 closes without a word [MQTT-4.8.0-1]; 5.0 says why first [MQTT-4.13.1-1].
      expect(after).toEqual(version === 5 ? [expect.objectContaining({ type: 'disconnect', reasonCode: 0x82 })] : []);
    });
  });

  it('ends a QoS 2 flow on PUBREC 0x80: no PUBREL follows, the next message flows', async () => {
    const topic = `strict/rec/${uniqueId('t')}`;
    const c = await connected(s.broker, 5);
    c.write(subscribeBytes(5, 1, [[topic, 2]]));
    await nth(c, 2, 5);
    s.broker.publish(topic, 'first', { qos: 2 });
    const first = (await nth(c, 3, 5)) as { packetId: number };
    c.send({ type: 'pubrec', packetId: first.packetId, reasonCode: 0x80 }, 5);
    s.broker.publish(topic, 'second', { qos: 2 });
    const second = (await nth(c, 4, 5)) as Packet & { packetId: number };
    expect(second).toMatchObject({ type: 'publish', payload: new TextEncoder().encode('second') });
    c.send({ type: 'pubrec', packetId: second.packetId, reasonCode: 0 }, 5);
    expect(await nth(c, 5, 5)).toEqual({ type: 'pubrel', packetId: second.packetId, reasonCode: 0 });
    c.send({ type: 'pingreq' }, 5);
    expect(await nth(c, 6, 5)).toMatchObject({ type: 'pingresp' });
    c.destroy();
  });

  it('drops optional CONNACK properties to fit a small client Maximum Packet Size', async () => {
    const c = await RawClient.open(s.broker.port);
    c.send({ type: 'connect', protocolVersion: 5, clientId: uniqueId('small'), cleanStart: true, keepAlive: 60, properties: { maximumPacketSize: 12 } }, 5);
    const [connack] = await c.packets(1, 5);
    expect(connack).toMatchObject({ type: 'connack', reasonCode: 0 });
    expect(c.bytes.length).toBeLessThanOrEqual(12);
    // The full CONNACK would not have fitted.
    expect(encode({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { receiveMaximum: 65535, maximumPacketSize: 1024 * 1024, topicAliasMaximum: 64 } }, { protocolVersion: 5 }).length).toBeGreaterThan(12);
    c.send({ type: 'pingreq' }, 5);
    expect(await nth(c, 2, 5)).toMatchObject({ type: 'pingresp' });
    c.destroy();
  });

  it('closes without sending anything when even the smallest CONNACK exceeds the client Maximum Packet Size', async () => {
    const c = await RawClient.open(s.broker.port);
    c.send({ type: 'connect', protocolVersion: 5, clientId: uniqueId('tiny'), cleanStart: true, keepAlive: 60, properties: { maximumPacketSize: 4 } }, 5);
    expect([...(await c.waitClosed())]).toEqual([]);
    expect(s.broker.connectedClients.some((id) => id.startsWith('tiny'))).toBe(false);
  });
});
