import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { ConnectionClosedError } from '../../lib/errors.js';
import { AckRouter } from '../../lib/session/ack-router.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import { OutboundPublisher } from '../../lib/session/outbound-publisher.js';
import { PacketIdAllocator } from '../../lib/session/packet-id-allocator.js';

const message = (qos: 0 | 1 | 2, topic = 't'): PublishPacket => ({ type: 'publish', topic, payload: new Uint8Array(0), qos, retain: false, dup: false });

function setup(receiveMaximum = 65535, autoAck?: (p: PublishPacket) => boolean) {
  const acks = new AckRouter();
  const packetIds = new PacketIdAllocator();
  const store = new MemoryInFlightStore();
  const sent: PublishPacket[] = [];
  const send = (packet: Packet): void => {
    if (packet.type !== 'publish') return;
    sent.push(packet);
    // Answers synchronously, the hardest case for re-entrancy.
    if (autoAck?.(packet)) acks.route({ type: 'puback', packetId: packet.packetId ?? 0 });
  };
  const publisher = new OutboundPublisher({ send, acks, packetIds, store, protocolVersion: 4, receiveMaximum });
  return { acks, packetIds, store, sent, publisher };
}

describe('OutboundPublisher', () => {
  it('wraps packet identifiers after 65535, skipping one still in flight, never using 0', () => {
    const { sent, publisher, packetIds } = setup(65535, (p) => p.topic !== 'held');
    publisher.publish(message(1, 'held')).subscribe();
    let completed = 0;
    for (let i = 0; i < 65536; i++) publisher.publish(message(1)).subscribe({ complete: () => completed++ });
    const ids = sent.map((p) => p.packetId);
    expect(ids[0]).toBe(1);
    expect(ids.slice(1, 3)).toEqual([2, 3]);
    expect(ids[65534]).toBe(65535);
    expect(ids.slice(65535)).toEqual([2, 3]); // 1 is still held
    expect(ids).not.toContain(0);
    expect(completed).toBe(65536);
    expect(packetIds.size).toBe(1);
  });

  it('keeps at most receiveMaximum in flight and starts the rest in order as acks arrive', () => {
    const { sent, publisher, acks } = setup(2);
    for (const topic of ['a', 'b', 'c', 'd']) publisher.publish(message(1, topic)).subscribe();
    expect(sent.map((p) => p.topic)).toEqual(['a', 'b']);
    expect([publisher.inFlightCount, publisher.queuedCount]).toEqual([2, 2]);
    acks.route({ type: 'puback', packetId: sent[1].packetId ?? 0 });
    expect(sent.map((p) => p.topic)).toEqual(['a', 'b', 'c']);
    acks.route({ type: 'puback', packetId: sent[0].packetId ?? 0 });
    expect(sent.map((p) => p.topic)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('waits instead of failing when all 65535 packet identifiers are taken', () => {
    const { sent, publisher, packetIds, acks } = setup();
    for (let i = 0; i < 65534; i++) packetIds.allocate(); // e.g. held by other flows
    const errors: unknown[] = [];
    for (const topic of ['a', 'b']) publisher.publish(message(1, topic)).subscribe({ error: (e) => errors.push(e) });
    expect(sent.map((p) => [p.topic, p.packetId])).toEqual([['a', 65535]]);
    acks.route({ type: 'puback', packetId: 65535 });
    expect(sent.map((p) => [p.topic, p.packetId])).toEqual([
      ['a', 65535],
      ['b', 65535],
    ]);
    expect(errors).toEqual([]);
  });

  it('QoS 0 is not limited by Receive Maximum and needs no identifier', () => {
    const { sent, publisher } = setup(1);
    publisher.publish(message(1)).subscribe();
    publisher.publish(message(0, 'zero')).subscribe();
    expect(sent.map((p) => [p.topic, p.packetId])).toEqual([
      ['t', 1],
      ['zero', undefined],
    ]);
  });

  it('records each message in the store until acknowledged, and keeps it there when the connection is lost', () => {
    const { store, publisher, acks, sent } = setup();
    publisher.publish(message(1, 'acked')).subscribe();
    publisher.publish(message(2, 'lost')).subscribe({ error: () => undefined });
    expect([...store.outbound()].map((e) => [e.packet.topic, e.state])).toEqual([
      ['acked', 'publish'],
      ['lost', 'publish'],
    ]);
    acks.route({ type: 'puback', packetId: sent[0].packetId ?? 0 });
    acks.route({ type: 'pubrec', packetId: sent[1].packetId ?? 0 });
    expect([...store.outbound()].map((e) => [e.packet.topic, e.state])).toEqual([['lost', 'pubrel']]);
    const closed = new ConnectionClosedError('gone');
    publisher.failAll(closed);
    acks.failAll(closed);
    expect([...store.outbound()].map((e) => e.packet.topic)).toEqual(['lost']);
  });

  it('fails queued publishes at once on failAll, and later publishes immediately', () => {
    const { publisher } = setup(1);
    const errors: unknown[] = [];
    publisher.publish(message(1)).subscribe({ error: (e) => errors.push(e) });
    publisher.publish(message(1)).subscribe({ error: (e) => errors.push(e) });
    const closed = new ConnectionClosedError('gone');
    publisher.failAll(closed);
    expect(errors).toEqual([closed]); // the queued one; the in-flight one fails through the ack router
    publisher.publish(message(0)).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([closed, closed]);
  });
});
