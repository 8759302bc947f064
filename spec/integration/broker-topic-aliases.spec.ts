/**
 * Outbound topic aliases: the broker assigns aliases to the topics it sends an MQTT 5 client,
 * within the client's Topic Alias Maximum [MQTT-3.3.2-11], first come first served, fresh on each
 * connection [MQTT-3.3.2-7]; none for a client that allows none [MQTT-3.1.2-26].
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { connectAsync } from '../../lib/node/index.js';
import { RawClient } from '../broker/raw-client.js';

const connect = (clientId: string, topicAliasMaximum?: number): Packet => ({
  type: 'connect',
  protocolVersion: 5,
  clientId,
  cleanStart: true,
  keepAlive: 60,
  ...(topicAliasMaximum === undefined ? {} : { properties: { topicAliasMaximum } }),
});

describe('broker outbound topic aliases', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0 });
  });
  afterAll(async () => broker?.close());

  /** Connects a raw subscriber to `aliases/#`, publishes `topics` in order, returns the PUBLISHes it got. */
  async function receive(topicAliasMaximum: number | undefined, topics: readonly string[]): Promise<PublishPacket[]> {
    const sub = await RawClient.open(broker.port);
    try {
      sub.send(connect(`alias-sub-${Math.random()}`, topicAliasMaximum), 5);
      sub.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'aliases/#', qos: 0 }] }, 5);
      await sub.packets(2, 5); // CONNACK, SUBACK
      for (const t of topics) broker.publish(t, t);
      const packets = await sub.packets(2 + topics.length, 5);
      return packets.slice(2) as PublishPacket[];
    } finally {
      sub.destroy();
    }
  }

  it('gives the first topics aliases up to the maximum: topic and alias first, then the alias alone', async () => {
    const got = await receive(2, ['aliases/a', 'aliases/a', 'aliases/b', 'aliases/c', 'aliases/b', 'aliases/c']);
    expect(got.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
      ['aliases/a', 1],
      ['', 1],
      ['aliases/b', 2],
      ['aliases/c', undefined], // past the maximum: sent in full
      ['', 2],
      ['aliases/c', undefined],
    ]);
    expect(got.map((p) => new TextDecoder().decode(p.payload))).toEqual(['aliases/a', 'aliases/a', 'aliases/b', 'aliases/c', 'aliases/b', 'aliases/c']);
  });

  it('sends no alias to a client that allows none (absent or 0) [MQTT-3.1.2-26]', async () => {
    for (const max of [undefined, 0]) {
      const got = await receive(max, ['aliases/x', 'aliases/x']);
      expect(got.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
        ['aliases/x', undefined],
        ['aliases/x', undefined],
      ]);
    }
  });

  it('starts afresh on a new connection [MQTT-3.3.2-7]', async () => {
    expect((await receive(4, ['aliases/y', 'aliases/y']))[1]?.topic).toBe('');
    expect((await receive(4, ['aliases/y']))[0]).toMatchObject({ topic: 'aliases/y', properties: { topicAlias: 1 } });
  });

  it('can be turned off with limits.outboundTopicAliases: false', async () => {
    const plain = await startBroker({ port: 0, limits: { outboundTopicAliases: false } });
    try {
      const sub = await RawClient.open(plain.port);
      sub.send(connect('no-alias', 10), 5);
      sub.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'aliases/#', qos: 0 }] }, 5);
      await sub.packets(2, 5);
      plain.publish('aliases/z', 'z');
      plain.publish('aliases/z', 'z');
      const got = (await sub.packets(4, 5)).slice(2) as PublishPacket[];
      expect(got.map((p) => p.properties?.topicAlias)).toEqual([undefined, undefined]);
      sub.destroy();
    } finally {
      await plain.close();
    }
  });

  it('is transparent to an rxmqtt client that allows aliases: every message has its full topic', async () => {
    const client = await connectAsync(broker.url, { protocolVersion: 5, properties: { topicAliasMaximum: 3 }, reconnect: false });
    const seen: string[] = [];
    const got = firstValueFrom(client.subscribe('aliases/e2e/#').pipe(take(20), toArray()));
    await client.publishAsync('barrier/aliases', '', { qos: 1 });
    const topics = Array.from({ length: 20 }, (_, i) => `aliases/e2e/${i % 5}`);
    for (const t of topics) broker.publish(t, t);
    for (const m of await got) seen.push(`${m.topic}=${m.text()}`);
    expect(seen).toEqual(topics.map((t) => `${t}=${t}`));
    await client.disconnect();
  });
});
