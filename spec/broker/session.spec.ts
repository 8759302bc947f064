import type { Packet } from '../../lib/codec/packet';
import { brokerMessage } from '../../lib/broker/broker-message';
import { Session, type SessionLink } from '../../lib/broker/session';

function link(window: number, protocolVersion: 4 | 5 = 4, tooLarge = false): SessionLink & { sent: Packet[]; writable: boolean } {
  const sent: Packet[] = [];
  return { protocolVersion, inflightWindow: window, sent, writable: true, send: (p) => (tooLarge && p.type === 'publish' ? false : (sent.push(p), true)) };
}
const m = (topic: string, qos: 0 | 1 | 2 = 1) => brokerMessage(topic, new Uint8Array([1]), qos, false, undefined, 'x', 0);
const brief = (p: Packet) => (p.type === 'publish' ? `publish ${p.topic} q${p.qos} id${p.packetId ?? '-'}${p.dup ? ' dup' : ''}` : `${p.type} ${'packetId' in p ? p.packetId : ''}`);

describe('Session', () => {
  it('sends QoS 0 only while online', () => {
    const s = new Session('c', 10);
    s.deliver(m('a', 0), 0, false, undefined, 0);
    const l = link(5);
    s.attach(l, 0);
    s.deliver(m('b', 0), 0, false, undefined, 0);
    expect(l.sent.map(brief)).toEqual(['publish b q0 id-']);
  });

  it('keeps at most the in-flight window outstanding and drains the queue on acks', () => {
    const s = new Session('c', 10);
    const l = link(2);
    s.attach(l, 0);
    for (const t of ['a', 'b', 'c']) s.deliver(m(t), 1, false, undefined, 0);
    expect(l.sent.map(brief)).toEqual(['publish a q1 id1', 'publish b q1 id2']);
    expect(s.queuedCount).toBe(1);
    s.onPuback(1);
    expect(l.sent.map(brief)).toEqual(['publish a q1 id1', 'publish b q1 id2', 'publish c q1 id3']);
    s.onPuback(2);
    s.onPuback(3);
    expect(s.inflightCount).toBe(0);
  });

  it('runs QoS 2: PUBREC -> PUBREL, PUBCOMP frees the slot; a failing PUBREC drops the message', () => {
    const s = new Session('c', 10);
    const l = link(1, 5);
    s.attach(l, 0);
    s.deliver(m('a', 2), 2, false, undefined, 0);
    s.deliver(m('b', 2), 2, false, undefined, 0);
    s.onPubrec(1, 0);
    expect(l.sent.map(brief)).toEqual(['publish a q2 id1', 'pubrel 1']);
    s.onPubcomp(1);
    expect(l.sent.map(brief).slice(2)).toEqual(['publish b q2 id2']);
    s.onPubrec(2, 0x80);
    expect(s.inflightCount).toBe(0);
    s.onPubrec(99, 0);
    expect(l.sent[l.sent.length - 1]).toEqual({ type: 'pubrel', packetId: 99, reasonCode: 0x92 });
  });

  it('resends unacknowledged messages with DUP on a new connection, then the queue', () => {
    const s = new Session('c', 10);
    const first = link(2);
    s.attach(first, 0);
    s.deliver(m('a', 1), 1, false, undefined, 0);
    s.deliver(m('b', 2), 2, false, undefined, 0);
    s.onPubrec(2, 0);
    s.detach(first);
    s.deliver(m('c', 1), 1, false, undefined, 0);
    expect(s.queuedCount).toBe(1);
    const second = link(3);
    s.attach(second, 0);
    expect(second.sent.map(brief)).toEqual(['publish a q1 id1 dup', 'pubrel 2', 'publish c q1 id3']);
  });

  it('bounds the queue and counts what it drops', () => {
    const s = new Session('c', 2);
    for (const t of ['a', 'b', 'c']) s.deliver(m(t), 1, false, undefined, 0);
    expect(s.queuedCount).toBe(2);
    expect(s.dropped).toBe(1);
  });

  it('discards a message too large for the client and moves on', () => {
    const s = new Session('c', 10);
    const l = link(1, 5, true);
    s.attach(l, 0);
    s.deliver(m('a'), 1, false, undefined, 0);
    expect(s.inflightCount).toBe(0);
    expect(s.dropped).toBe(1);
  });

  it('skips expired queued messages', () => {
    const s = new Session('c', 10);
    s.deliver(brokerMessage('e', new Uint8Array(1), 1, false, { messageExpiryInterval: 1 }, 'x', 0), 1, false, undefined, 0);
    const l = link(5, 5);
    s.attach(l, 5000);
    expect(l.sent).toEqual([]);
  });

  it('drops QoS 0 and holds QoS 1/2 in the queue while the link is not writable, then sends them in order', () => {
    const drops: string[] = [];
    const s = new Session('c', 10, (_s, reason) => drops.push(reason));
    const l = link(10);
    s.attach(l, 0);
    l.writable = false;
    s.deliver(m('zero', 0), 0, false, undefined, 0);
    s.deliver(m('one'), 1, false, undefined, 0);
    s.deliver(m('two', 2), 2, false, undefined, 0);
    expect(l.sent).toEqual([]);
    expect(drops).toEqual(['slowClient']);
    expect([s.queuedCount, s.dropped]).toEqual([2, 1]);
    l.writable = true;
    s.resumeSending();
    expect(l.sent.map(brief)).toEqual(['publish one q1 id1', 'publish two q2 id2']);
    expect(s.queuedCount).toBe(0);
  });

  it('reports a full queue and wakes those waiting for room when it drains, or when the client leaves', async () => {
    const pressure = { full: 0 };
    const s = new Session('c', 2, undefined, pressure);
    const l = link(1);
    s.attach(l, 0);
    for (const t of ['a', 'b', 'c']) s.deliver(m(t), 1, false, undefined, 0); // a in flight, b and c queued
    expect([s.full, pressure.full]).toEqual([true, 1]);
    let woke = false;
    const room = s.whenRoom().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    s.onPuback((l.sent[0] as { packetId: number }).packetId); // b goes out: one slot free
    await room;
    expect([s.full, pressure.full]).toEqual([false, 0]);
    s.deliver(m('d'), 1, false, undefined, 0);
    expect(s.full).toBe(true);
    const gone = s.whenRoom();
    s.detach(l);
    await gone; // offline: nothing is gained by waiting
    expect(await s.whenRoom()).toBeUndefined();
  });
});
