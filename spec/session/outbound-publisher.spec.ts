import { Subject } from 'rxjs';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { ConnectionClosedError, InvalidArgumentError, QueueFullError, StoreError } from '../../lib/errors.js';
import { FailingStore } from './failing-store.js';
import type { OfflineQueueOptions } from '../../lib/session/offline-queue.js';
import { AckRouter } from '../../lib/session/ack-router.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import { OutboundPublisher } from '../../lib/session/outbound-publisher.js';
import { PacketIdAllocator } from '../../lib/session/packet-id-allocator.js';

const message = (qos: 0 | 1 | 2, topic = 't'): PublishPacket => ({ type: 'publish', topic, payload: new Uint8Array(0), qos, retain: false, dup: false });

function setup(receiveMaximum = 65535, autoAck?: (p: PublishPacket) => boolean, offlineQueue?: OfflineQueueOptions, maxResends?: number) {
  let acks = new AckRouter();
  const packetIds = new PacketIdAllocator();
  const store = new MemoryInFlightStore();
  const sent: PublishPacket[] = [];
  const wire: Packet[] = [];
  const send = (packet: Packet): void => {
    wire.push(packet);
    if (packet.type !== 'publish') return;
    sent.push(packet);
    // Answers synchronously, the hardest case for re-entrancy.
    if (autoAck?.(packet)) acks.route({ type: 'puback', packetId: packet.packetId ?? 0 });
  };
  const publisher = new OutboundPublisher({ packetIds, store, protocolVersion: 4, offlineQueue, maxResends });
  publisher.attach({ send, acks, receiveMaximum }, false);
  publisher.flush();
  /** Simulates a lost connection and a new one (a fresh ack router, as a new session has). */
  const reconnect = (sessionPresent: boolean): void => {
    publisher.detach();
    acks.failAll(new ConnectionClosedError('lost'));
    wire.length = 0;
    sent.length = 0;
    acks = new AckRouter();
    publisher.attach({ send, acks, receiveMaximum }, sessionPresent);
    if (!sessionPresent) store.clear();
    publisher.flush();
  };
  const ack = (packet: Packet): boolean => acks.route(packet as never);
  return { acks, packetIds, store, sent, wire, publisher, reconnect, ack };
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
    expect(errors).toEqual([closed, closed]); // the queued one and the one in flight
    publisher.publish(message(0)).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([closed, closed, closed]);
  });
});

describe('OutboundPublisher across connections', () => {
  it('keeps flows pending through a lost connection and resends them in order on a resumed session: PUBLISH with DUP and the same id, PUBREL', () => {
    const { publisher, reconnect, wire, ack, sent, store } = setup();
    const done: string[] = [];
    for (const [qos, topic] of [[1, 'q1'], [2, 'q2-released'], [2, 'q2']] as const) {
      publisher.publish(message(qos, topic)).subscribe({ complete: () => done.push(topic), error: (e) => done.push(String(e)) });
    }
    const ids = sent.map((p) => p.packetId ?? 0);
    ack({ type: 'pubrec', packetId: ids[1] });
    reconnect(true);
    expect(done).toEqual([]); // nothing errored with the lost connection
    expect(wire).toEqual([
      { ...message(1, 'q1'), packetId: ids[0], dup: true },
      { type: 'pubrel', packetId: ids[1] },
      { ...message(2, 'q2'), packetId: ids[2], dup: true },
    ]);
    ack({ type: 'puback', packetId: ids[0] });
    ack({ type: 'pubcomp', packetId: ids[1] });
    ack({ type: 'pubrec', packetId: ids[2] });
    ack({ type: 'pubcomp', packetId: ids[2] });
    expect(done).toEqual(['q1', 'q2-released', 'q2']);
    expect([...store.outbound()]).toEqual([]);
  });

  it('without a session sends unreleased flows again as new messages, ahead of the queue, and completes released ones', () => {
    const { publisher, reconnect, wire, ack, sent } = setup(2);
    const done: string[] = [];
    for (const [qos, topic] of [[2, 'released'], [1, 'unacked'], [1, 'queued']] as const) {
      publisher.publish(message(qos, topic)).subscribe({ complete: () => done.push(topic) });
    }
    ack({ type: 'pubrec', packetId: sent[0].packetId ?? 0 });
    wire.length = 0;
    reconnect(false);
    expect(done).toEqual(['released']);
    expect(wire.map((p) => (p.type === 'publish' ? [p.topic, p.dup, p.packetId] : p.type))).toEqual([
      ['unacked', false, 3], // a new identifier: the allocator moved on
      ['queued', false, 4],
    ]);
  });

  it('queues publishes made while detached, QoS 0 too, and sends them in order once attached', () => {
    const { publisher, reconnect, wire } = setup();
    publisher.detach();
    const done: string[] = [];
    for (const [qos, topic] of [[0, 'a'], [1, 'b'], [0, 'c'], [2, 'd']] as const) {
      publisher.publish(message(qos, topic)).subscribe({ complete: () => done.push(topic) });
    }
    expect(publisher.queuedCount).toBe(4);
    reconnect(false);
    expect(wire.map((p) => (p.type === 'publish' ? p.topic : p.type))).toEqual(['a', 'b', 'c', 'd']);
    expect(done).toEqual(['a', 'c']);
  });

  it('offline queue reject-new: refuses a publish over maxMessages or maxBytes with QueueFullError', () => {
    const { publisher } = setup(65535, undefined, { maxMessages: 2, maxBytes: 10 });
    publisher.detach();
    const errors: unknown[] = [];
    const pub = (topic: string, size: number): void => {
      publisher.publish({ ...message(1, topic), payload: new Uint8Array(size) }).subscribe({ error: (e) => errors.push(e) });
    };
    pub('a', 2); // 3 bytes with the topic
    pub('b', 9); // 10 more: over maxBytes
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QueueFullError);
    expect(String(errors[0])).toMatch(/'b' refused/);
    pub('c', 0);
    pub('d', 0); // third message
    expect(errors).toHaveLength(2);
    expect(String(errors[1])).toMatch(/2 of 2 messages/);
    expect(publisher.queuedCount).toBe(2);
  });

  it('offline queue drop-oldest: errors the oldest queued publishes to make room', () => {
    const { publisher, reconnect, wire } = setup(65535, undefined, { maxMessages: 2, overflow: 'drop-oldest' });
    publisher.detach();
    const outcome: string[] = [];
    for (const topic of ['a', 'b', 'c']) {
      publisher.publish(message(0, topic)).subscribe({
        complete: () => outcome.push(`${topic} sent`),
        error: (e: unknown) => outcome.push(`${topic} ${(e as QueueFullError).code}`),
      });
    }
    expect(outcome).toEqual(['a QUEUE_FULL']);
    reconnect(false);
    expect(wire.map((p) => (p.type === 'publish' ? p.topic : p.type))).toEqual(['b', 'c']);
    expect(outcome).toEqual(['a QUEUE_FULL', 'b sent', 'c sent']);
  });

  it('offline queue drop-oldest: a publish that could never fit is refused without dropping others', () => {
    const { publisher } = setup(65535, undefined, { maxBytes: 10, overflow: 'drop-oldest' });
    publisher.detach();
    const outcome: string[] = [];
    publisher.publish(message(1, 'small')).subscribe({ error: () => outcome.push('small dropped') });
    publisher.publish({ ...message(1, 'huge'), payload: new Uint8Array(20) }).subscribe({ error: (e: unknown) => outcome.push(`huge ${(e as QueueFullError).code}`) });
    expect(outcome).toEqual(['huge QUEUE_FULL']);
    expect(publisher.queuedCount).toBe(1);
  });

  it('an unsubscribed queued publish leaves the queue and frees its room', () => {
    const { publisher, reconnect, wire } = setup(65535, undefined, { maxMessages: 1 });
    publisher.detach();
    publisher.publish(message(1, 'gone')).subscribe().unsubscribe();
    publisher.publish(message(1, 'kept')).subscribe();
    reconnect(false);
    expect(wire.map((p) => (p.type === 'publish' ? p.topic : p.type))).toEqual(['kept']);
  });

  it('resumes flows a persistent store holds from an earlier process (nobody listening), with their identifiers', () => {
    const store = new MemoryInFlightStore();
    store.putOutbound({ packet: { ...message(1, 'old'), packetId: 7 }, state: 'publish' });
    store.putOutbound({ packet: { ...message(2, 'older'), packetId: 3 }, state: 'pubrel' });
    const packetIds = new PacketIdAllocator();
    const acks = new AckRouter();
    const wire: Packet[] = [];
    const publisher = new OutboundPublisher({ packetIds, store, protocolVersion: 4 });
    publisher.attach({ send: (p) => void wire.push(p), acks, receiveMaximum: 10 }, true);
    expect(wire).toEqual([
      { ...message(1, 'old'), packetId: 7, dup: true },
      { type: 'pubrel', packetId: 3 },
    ]);
    expect([packetIds.has(7), packetIds.has(3)]).toEqual([true, true]);
    acks.route({ type: 'puback', packetId: 7 });
    acks.route({ type: 'pubcomp', packetId: 3 });
    expect([...store.outbound()]).toEqual([]);
    expect(packetIds.size).toBe(0);
  });

  it('resends a resumed session within the new Receive Maximum, the rest (same ids, in order) as acks free slots, before the queue', () => {
    const { publisher, reconnect, wire, ack, sent } = setup(3);
    for (const topic of ['a', 'b', 'c']) publisher.publish(message(1, topic)).subscribe();
    const ids = sent.map((p) => p.packetId ?? 0);
    publisher.detach();
    publisher.publish(message(1, 'queued')).subscribe();
    reconnect(true);
    // Same Receive Maximum (3): all three resent, the queued one waits for a slot.
    expect(wire.map((p) => (p.type === 'publish' ? [p.topic, p.dup] : p.type))).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
    ack({ type: 'puback', packetId: ids[0] });
    expect(wire.map((p) => (p.type === 'publish' ? p.topic : p.type))).toEqual(['a', 'b', 'c', 'queued']);
  });

  it('holds resends beyond a smaller Receive Maximum until slots free', () => {
    const store = new MemoryInFlightStore();
    for (const id of [1, 2, 3]) store.putOutbound({ packet: { ...message(1, `m${id}`), packetId: id }, state: 'publish' });
    const acks = new AckRouter();
    const wire: Packet[] = [];
    const publisher = new OutboundPublisher({ packetIds: new PacketIdAllocator(), store, protocolVersion: 5 });
    publisher.attach({ send: (p) => void wire.push(p), acks, receiveMaximum: 2 }, true);
    publisher.flush();
    expect(wire.map((p) => (p as PublishPacket).packetId)).toEqual([1, 2]);
    acks.route({ type: 'puback', packetId: 2 });
    expect(wire.map((p) => [(p as PublishPacket).packetId, (p as PublishPacket).dup])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });

  it('a PUBREC for a resend still waiting for a slot is recorded: the resend becomes PUBREL, never a second PUBLISH', () => {
    const store = new MemoryInFlightStore();
    for (const id of [1, 2]) store.putOutbound({ packet: { ...message(2, `m${id}`), packetId: id }, state: 'publish' });
    const acks = new AckRouter();
    const wire: Packet[] = [];
    const publisher = new OutboundPublisher({ packetIds: new PacketIdAllocator(), store, protocolVersion: 4 });
    publisher.attach({ send: (p) => void wire.push(p), acks, receiveMaximum: 1 }, true);
    publisher.flush();
    expect(wire).toEqual([{ ...message(2, 'm1'), packetId: 1, dup: true }]);
    // The server had m2 from the earlier connection and sends its PUBREC again before m2's turn.
    expect(acks.route({ type: 'pubrec', packetId: 2 })).toBe(false);
    expect(publisher.acknowledgeWaiting({ type: 'pubrec', packetId: 2 })).toBe(true);
    expect(store.getOutbound(2)?.state).toBe('pubrel');
    acks.route({ type: 'pubrec', packetId: 1 });
    acks.route({ type: 'pubcomp', packetId: 1 });
    expect(wire.slice(1)).toEqual([
      { type: 'pubrel', packetId: 1 },
      { type: 'pubrel', packetId: 2 }, // not PUBLISH m2 again
    ]);
    acks.route({ type: 'pubcomp', packetId: 2 });
    expect([...store.outbound()]).toEqual([]);
    expect(publisher.acknowledgeWaiting({ type: 'pubrec', packetId: 3 })).toBe(false); // unknown: the caller answers 0x92
  });

  it('a PUBACK for a resend still waiting for a slot completes it, and the resend is not sent', () => {
    const store = new MemoryInFlightStore();
    for (const id of [1, 2]) store.putOutbound({ packet: { ...message(1, `m${id}`), packetId: id }, state: 'publish' });
    const acks = new AckRouter();
    const wire: Packet[] = [];
    const packetIds = new PacketIdAllocator();
    const publisher = new OutboundPublisher({ packetIds, store, protocolVersion: 4 });
    publisher.attach({ send: (p) => void wire.push(p), acks, receiveMaximum: 1 }, true);
    publisher.flush();
    expect(publisher.acknowledgeWaiting({ type: 'puback', packetId: 2 })).toBe(true);
    expect([store.getOutbound(2), packetIds.has(2)]).toEqual([undefined, false]);
    acks.route({ type: 'puback', packetId: 1 });
    expect(wire.map((p) => (p as PublishPacket).topic)).toEqual(['m1']);
    expect(publisher.inFlightCount).toBe(0);
  });

  it.each([true, false])(
    'sessionPresent %s: a message lost with the connection after each of its 6 sends fails with RESEND_LIMIT, and the queue goes on',
    (sessionPresent) => {
      const { publisher, reconnect, sent, ack, store, packetIds } = setup();
      const outcome: unknown[] = [];
      publisher.publish(message(2, 'refused')).subscribe({ complete: () => outcome.push('done'), error: (e) => outcome.push(e) });
      let sends = sent.length;
      for (let i = 0; i < 5; i++) {
        reconnect(sessionPresent); // the server closed the connection on it, again
        sends += sent.filter((p) => p.topic === 'refused').length;
      }
      expect(sends).toBe(6); // the first send and 5 resends
      expect(outcome).toEqual([]);
      publisher.publish(message(1, 'next')).subscribe({ complete: () => outcome.push('next done') });
      reconnect(sessionPresent);
      expect(sent.map((p) => p.topic)).toEqual(['next']); // not sent a 7th time
      expect(outcome).toEqual([expect.objectContaining({ name: 'ConnectionClosedError', code: 'RESEND_LIMIT' })]);
      expect((outcome[0] as Error).message).toMatch(/given up: the connection was lost each of the 6 times/);
      ack({ type: 'puback', packetId: sent[0]?.packetId ?? 0 });
      expect(outcome[1]).toBe('next done');
      expect([[...store.outbound()].length, packetIds.size]).toEqual([0, 0]);
    },
  );

  it('maxResends: Infinity resends through any number of lost connections; 0 sends once', () => {
    const unlimited = setup(65535, undefined, undefined, Infinity);
    unlimited.publisher.publish(message(1, 'keep')).subscribe();
    for (let i = 0; i < 20; i++) unlimited.reconnect(true);
    expect(unlimited.sent.map((p) => [p.topic, p.dup])).toEqual([['keep', true]]);
    const once = setup(65535, undefined, undefined, 0);
    const errors: unknown[] = [];
    once.publisher.publish(message(1, 'once')).subscribe({ error: (e) => errors.push(e) });
    once.reconnect(true);
    expect([once.sent.length, (errors[0] as { code?: string })?.code]).toEqual([0, 'RESEND_LIMIT']);
  });

  it('a QoS 2 flow past PUBREC is never limited: its PUBREL goes out after any number of lost connections', () => {
    const { publisher, reconnect, sent, ack, wire } = setup();
    publisher.publish(message(2, 'released')).subscribe();
    ack({ type: 'pubrec', packetId: sent[0]?.packetId ?? 0 });
    for (let i = 0; i < 8; i++) reconnect(true);
    expect(wire).toEqual([{ type: 'pubrel', packetId: 1 }]); // still resent after 8 losses
  });

  it('MQTT 5 Message Expiry: a queued publish is sent with the interval less the seconds it waited, or dropped once it ran out', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const { publisher, reconnect, sent } = setup();
      publisher.detach();
      const outcome: unknown[] = [];
      const expiring = (topic: string, seconds: number, qos: 0 | 1 = 1): PublishPacket => ({ ...message(qos, topic), properties: { messageExpiryInterval: seconds } });
      publisher.publish(expiring('short', 5)).subscribe({ error: (e) => outcome.push(e) });
      publisher.publish(expiring('long', 60)).subscribe();
      publisher.publish(expiring('short-q0', 5, 0)).subscribe({ error: (e) => outcome.push(e) });
      publisher.publish(message(1, 'plain')).subscribe();
      jest.setSystemTime(1_000_000 + 12_500); // 12.5 s offline
      reconnect(false);
      expect(sent.map((p) => [p.topic, p.properties?.messageExpiryInterval])).toEqual([
        ['long', 48],
        ['plain', undefined],
      ]);
      expect(outcome.map((e) => [(e as { code?: string }).code, (e as { waitedSeconds?: number }).waitedSeconds])).toEqual([
        ['MESSAGE_EXPIRED', 12],
        ['MESSAGE_EXPIRED', 12],
      ]);
      expect(publisher.expiredCount).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('writes the store before the PUBLISH and before the PUBREL go out, and removes the entry on completion', () => {
    const store = new MemoryInFlightStore();
    const acks = new AckRouter();
    const seen: string[] = [];
    const send = (p: Packet): void => {
      const id = 'packetId' in p ? (p.packetId ?? 0) : 0;
      seen.push(`${p.type} sent, stored as ${store.getOutbound(id)?.state ?? 'nothing'}`);
    };
    const publisher = new OutboundPublisher({ packetIds: new PacketIdAllocator(), store, protocolVersion: 4 });
    publisher.attach({ send, acks, receiveMaximum: 10 }, false);
    publisher.flush();
    publisher.publish(message(2)).subscribe();
    acks.route({ type: 'pubrec', packetId: 1 });
    acks.route({ type: 'pubcomp', packetId: 1 });
    expect(seen).toEqual(['publish sent, stored as publish', 'pubrel sent, stored as pubrel']);
    expect(store.getOutbound(1)).toBeUndefined();
  });

  it('checks what the server announced when a queued publish is sent', () => {
    const store = new MemoryInFlightStore();
    const publisher = new OutboundPublisher({ packetIds: new PacketIdAllocator(), store, protocolVersion: 5 });
    const errors: unknown[] = [];
    publisher.publish(message(2)).subscribe({ error: (e) => errors.push(e) });
    const check = (p: PublishPacket): Error | undefined => (p.qos > 1 ? new InvalidArgumentError('options.qos', 'at most 1') : undefined);
    publisher.attach({ send: () => undefined, acks: new AckRouter(), receiveMaximum: 10, check }, false);
    publisher.flush();
    expect(errors).toEqual([expect.any(InvalidArgumentError)]);
  });

  describe('QoS 0 backpressure', () => {
    function backpressured() {
      let full = false;
      const writable$ = new Subject<void>();
      const wire: Packet[] = [];
      const acks = new AckRouter();
      const publisher = new OutboundPublisher({ packetIds: new PacketIdAllocator(), store: new MemoryInFlightStore(), protocolVersion: 4 });
      publisher.attach({ send: (p) => (wire.push(p), !full), writable$, acks, receiveMaximum: 10 }, false);
      publisher.flush();
      return { publisher, wire, writable$, acks, setFull: (value: boolean) => (full = value) };
    }

    it('completes a QoS 0 publish at once while the transport takes bytes, and only after it drained when its buffer is full', () => {
      const { publisher, wire, writable$, setFull } = backpressured();
      const done: string[] = [];
      publisher.publish(message(0, 'a')).subscribe({ complete: () => done.push('a') });
      expect(done).toEqual(['a']);
      setFull(true);
      publisher.publish(message(0, 'b')).subscribe({ complete: () => done.push('b') });
      expect(wire.map((p) => (p as PublishPacket).topic)).toEqual(['a', 'b']); // sent, not yet counted as handed over
      expect(done).toEqual(['a']);
      setFull(false);
      writable$.next();
      expect(done).toEqual(['a', 'b']);
    });

    it('QoS 1 still completes at PUBACK, whatever the buffer says', () => {
      const { publisher, wire, writable$, acks, setFull } = backpressured();
      setFull(true);
      const done: string[] = [];
      publisher.publish(message(1, 'q1')).subscribe({ complete: () => done.push('q1') });
      const sent = wire[0] as PublishPacket;
      acks.route({ type: 'puback', packetId: sent.packetId ?? 0 });
      expect(done).toEqual(['q1']);
      expect(writable$.observed).toBe(false);
    });

    it('unsubscribing while waiting for the drain stops waiting', () => {
      const { publisher, writable$, setFull } = backpressured();
      setFull(true);
      const done: string[] = [];
      const subscription = publisher.publish(message(0, 'w')).subscribe({ complete: () => done.push('w') });
      expect(writable$.observed).toBe(true);
      subscription.unsubscribe();
      expect(writable$.observed).toBe(false);
      writable$.next();
      expect(done).toEqual([]);
    });
  });
});

describe('OutboundPublisher with a store that throws', () => {
  function failingSetup(code: 'STORE_IO' | 'STORE_CLOSED' = 'STORE_IO') {
    let acks = new AckRouter();
    const packetIds = new PacketIdAllocator();
    const store = new FailingStore(code);
    const wire: Packet[] = [];
    const failed: unknown[] = [];
    const send = (packet: Packet): void => void wire.push(packet);
    const publisher = new OutboundPublisher({ packetIds, store, protocolVersion: 5 });
    const connection = () => ({ send, acks, receiveMaximum: 65535, fail: (e: unknown) => failed.push(e) });
    publisher.attach(connection(), false);
    publisher.flush();
    const reconnect = (sessionPresent: boolean): void => {
      publisher.detach();
      acks.failAll(new ConnectionClosedError('lost'));
      wire.length = 0;
      acks = new AckRouter();
      publisher.attach(connection(), sessionPresent);
      publisher.flush();
    };
    const ack = (packet: Packet): boolean => acks.route(packet as never);
    return { store, wire, failed, publisher, packetIds, reconnect, ack };
  }

  it('fails the publish with the StoreError when its PUBLISH cannot be stored, sends nothing, and goes on', () => {
    const { store, wire, publisher, packetIds, ack } = failingSetup('STORE_IO');
    store.failing.add('putOutbound');
    const errors: unknown[] = [];
    publisher.publish(message(1, 'refused')).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([store.thrown[0]]);
    expect(errors[0]).toBeInstanceOf(StoreError);
    expect((errors[0] as StoreError).code).toBe('STORE_IO');
    expect(wire).toEqual([]);
    expect([packetIds.size, publisher.inFlightCount]).toEqual([0, 0]);
    store.failing.clear();
    let done = false;
    publisher.publish(message(1, 'accepted')).subscribe({ complete: () => (done = true) });
    expect(wire).toMatchObject([{ type: 'publish', topic: 'accepted' }]);
    ack({ type: 'puback', packetId: (wire[0] as PublishPacket).packetId ?? 0 });
    expect(done).toBe(true);
  });

  it('fails only the publish whose write failed, also when another publish pumped the queue', () => {
    const { store, publisher, ack, wire } = failingSetup('STORE_IO');
    const results: string[] = [];
    const track = (name: string) => ({ complete: () => results.push(`${name} ok`), error: (e: StoreError) => results.push(`${name} ${e.code}`) });
    // Receive Maximum is large: both start at once; make the second one's write fail.
    publisher.publish(message(1, 'first')).subscribe(track('first'));
    store.failing.add('putOutbound');
    publisher.publish(message(1, 'second')).subscribe(track('second'));
    store.failing.clear();
    ack({ type: 'puback', packetId: (wire[0] as PublishPacket).packetId ?? 0 });
    expect(results).toEqual(['second STORE_IO', 'first ok']);
  });

  it('at a QoS 2 PUBREC it cannot record: fails the publish and the connection, sends no PUBREL, finishes the flow on the resumed session', () => {
    const { store, wire, failed, publisher, reconnect, ack, packetIds } = failingSetup('STORE_IO');
    const errors: unknown[] = [];
    publisher.publish(message(2, 'q2')).subscribe({ error: (e) => errors.push(e) });
    const packetId = (wire[0] as PublishPacket).packetId ?? 0;
    store.failing.add('putOutboundPubrel');
    ack({ type: 'pubrec', packetId });
    expect(errors).toEqual([store.thrown[0]]);
    expect(failed).toEqual([store.thrown[0]]);
    expect(wire.map((p) => p.type)).toEqual(['publish']); // no PUBREL
    expect(store.getOutbound(packetId)?.state).toBe('publish'); // kept for the next connection
    expect(packetIds.size).toBe(0);
    // The disk recovers; the server resumes the session: PUBLISH again with DUP and the same id.
    store.failing.clear();
    reconnect(true);
    expect(wire).toMatchObject([{ type: 'publish', packetId, dup: true, topic: 'q2' }]);
    ack({ type: 'pubrec', packetId });
    expect(wire.map((p) => p.type)).toEqual(['publish', 'pubrel']);
    ack({ type: 'pubcomp', packetId });
    expect([...store.outbound()]).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('fails the publish with the StoreError when the completed flow cannot be removed from the store', () => {
    const { store, wire, publisher, ack, packetIds } = failingSetup('STORE_CLOSED');
    const errors: unknown[] = [];
    publisher.publish(message(1)).subscribe({ error: (e) => errors.push(e) });
    store.failing.add('deleteOutbound');
    ack({ type: 'puback', packetId: (wire[0] as PublishPacket).packetId ?? 0 });
    expect(errors).toHaveLength(1);
    expect((errors[0] as StoreError).code).toBe('STORE_CLOSED');
    expect([packetIds.size, publisher.inFlightCount]).toEqual([0, 0]);
  });
});
