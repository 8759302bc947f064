import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { inboundPackets } from '../../lib/session/inbound-packets.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import { StoreError } from '../../lib/errors.js';
import { FailingStore } from './failing-store.js';

const pub = (extra: Partial<PublishPacket>): PublishPacket => ({
  type: 'publish',
  topic: 't',
  payload: new Uint8Array(0),
  qos: 0,
  retain: false,
  dup: false,
  ...extra,
});

describe('inboundPackets (marbles)', () => {
  it('composes aliases, QoS 2 exactly once and QoS 1 acknowledgement (MQTT 5)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const sent: string[] = [];
    const send = (p: Packet): void => void sent.push(`${scheduler.now()}:${p.type}`);
    scheduler.run(({ hot, expectObservable }) => {
      const a = pub({ topic: 'long/topic', qos: 2, packetId: 1, properties: { topicAlias: 1 } });
      const b = pub({ topic: '', qos: 2, packetId: 1, dup: true, properties: { topicAlias: 1 } });
      const r: Packet = { type: 'pubrel', packetId: 1 };
      const c = pub({ topic: '', qos: 1, packetId: 2, properties: { topicAlias: 1 } });
      const source = hot<Packet>('-a-b-r-c', { a, b, r, c });
      const options = { send, store: new MemoryInFlightStore(), protocolVersion: 5 as const, topicAliasMaximum: 2 };
      expectObservable(source.pipe(inboundPackets(options))).toBe('-a-----c', { a, c: { ...c, topic: 'long/topic' } });
    });
    expect(sent).toEqual(['1:pubrec', '3:pubrec', '5:pubcomp', '7:puback']);
  });

  it('does not resolve aliases in MQTT 3.1.1 (there are none)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ hot, expectObservable }) => {
      const a = pub({ topic: 'x' });
      const options = { send: () => undefined, store: new MemoryInFlightStore(), protocolVersion: 4 as const, topicAliasMaximum: 0 };
      expectObservable(hot<Packet>('-a|', { a }).pipe(inboundPackets(options))).toBe('-a|', { a });
    });
  });

  it('a store that throws mid-flow errors the pipeline with its StoreError at that packet; nothing after it is handled', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const sent: string[] = [];
    const send = (p: Packet): void => void sent.push(`${scheduler.now()}:${p.type}`);
    const store = new FailingStore('STORE_CLOSED');
    store.failing.add('addInbound');
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const q1 = pub({ qos: 1, packetId: 1 });
      const q2 = pub({ qos: 2, packetId: 2 });
      const later = pub({ qos: 1, packetId: 3 });
      const source = hot<Packet>('-a-b-c', { a: q1, b: q2, c: later });
      const options = { send, store, protocolVersion: 4 as const, topicAliasMaximum: 0 };
      expectObservable(source.pipe(inboundPackets(options))).toBe('-a-#', { a: q1 }, new StoreError('STORE_CLOSED', 'test store: addInbound refused'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(sent).toEqual(['1:puback']); // no PUBREC for the QoS 2 message, no PUBACK for the later one
  });
});
