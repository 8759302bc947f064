import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { exactlyOnceQos2 } from '../../lib/session/exactly-once-qos2.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import { StoreError } from '../../lib/errors.js';
import { FailingStore } from './failing-store.js';

const p7: PublishPacket = { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, packetId: 7 };
const p7dup: PublishPacket = { ...p7, dup: true };
const pubrel7: Packet = { type: 'pubrel', packetId: 7 };

function setup() {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const sent: [number, Packet][] = [];
  const send = (p: Packet): void => void sent.push([scheduler.now(), p]);
  return { scheduler, sent, send, store: new MemoryInFlightStore() };
}

describe('exactlyOnceQos2 (marbles)', () => {
  it('delivers once, answers PUBREC to every copy, and PUBCOMP to PUBREL', () => {
    const { scheduler, sent, send, store } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const packets = hot<Packet>('-p-d-r-p', { p: p7, d: p7dup, r: pubrel7 });
      // After PUBREL the identifier is free again: the last PUBLISH 7 is a new message.
      expectObservable(packets.pipe(exactlyOnceQos2(send, store, 4))).toBe('-p-----p', { p: p7 });
    });
    expect(sent).toEqual([
      [1, { type: 'pubrec', packetId: 7 }],
      [3, { type: 'pubrec', packetId: 7 }],
      [5, { type: 'pubcomp', packetId: 7 }],
      [7, { type: 'pubrec', packetId: 7 }],
    ]);
    expect([...store.inbound()]).toEqual([7]);
  });

  it('holds the identifier in the store until PUBREL', () => {
    const { scheduler, send, store } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot<Packet>('-p', { p: p7 }).pipe(exactlyOnceQos2(send, store, 5))).toBe('-p', { p: p7 });
    });
    expect(store.hasInbound(7)).toBe(true);
  });

  it('stores the identifier before PUBREC is sent and releases it only after PUBCOMP was sent', () => {
    const { scheduler, store } = setup();
    const heldWhenSent: [string, boolean][] = [];
    const send = (p: Packet): void => void heldWhenSent.push([p.type, store.hasInbound(7)]);
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot<Packet>('-p-r', { p: p7, r: pubrel7 }).pipe(exactlyOnceQos2(send, store, 4))).toBe('-p', { p: p7 });
    });
    expect(heldWhenSent).toEqual([
      ['pubrec', true],
      ['pubcomp', true],
    ]);
    expect(store.hasInbound(7)).toBe(false);
  });

  it('answers PUBREL for an unknown identifier with PUBCOMP 0x92 in MQTT 5, and plain PUBCOMP in 3.1.1', () => {
    const v5 = setup();
    v5.scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot<Packet>('-r', { r: pubrel7 }).pipe(exactlyOnceQos2(v5.send, v5.store, 5))).toBe('');
    });
    expect(v5.sent).toEqual([[1, { type: 'pubcomp', packetId: 7, reasonCode: 0x92 }]]);
    const v4 = setup();
    v4.scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot<Packet>('-r', { r: pubrel7 }).pipe(exactlyOnceQos2(v4.send, v4.store, 4))).toBe('');
    });
    expect(v4.sent).toEqual([[1, { type: 'pubcomp', packetId: 7 }]]);
  });

  it('passes other packets, errors and completion through untouched', () => {
    const { scheduler, sent, send, store } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const q1: Packet = { ...p7, qos: 1 };
      const ack: Packet = { type: 'puback', packetId: 1 };
      expectObservable(hot<Packet>('-a-b-|', { a: q1, b: ack }).pipe(exactlyOnceQos2(send, store, 4))).toBe('-a-b-|', { a: q1, b: ack });
      const e = new Error('x');
      expectObservable(hot<Packet>('-#', undefined, e).pipe(exactlyOnceQos2(send, store, 4))).toBe('-#', undefined, e);
    });
    expect(sent).toEqual([]);
  });

  it('errors with the StoreError when the store cannot hold the identifier: not delivered, no PUBREC', () => {
    const { scheduler, sent, send } = setup();
    const store = new FailingStore('STORE_IO');
    const q1: PublishPacket = { ...p7, qos: 1, packetId: 8 };
    store.failing.add('addInbound');
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const packets = hot<Packet>('-a-p-a', { a: q1, p: p7 });
      expectObservable(packets.pipe(exactlyOnceQos2(send, store, 5))).toBe('-a-#', { a: q1 }, new StoreError('STORE_IO', 'test store: addInbound refused'));
      expectSubscriptions(packets.subscriptions).toBe('^--!');
    });
    expect(sent).toEqual([]); // the broker sends the PUBLISH again on the next connection
    expect(store.thrown.map((e) => e.code)).toEqual(['STORE_IO']);
    expect([...store.inbound()]).toEqual([]);
  });

  it('errors with the StoreError when the release cannot be recorded, after PUBCOMP went out', () => {
    const { scheduler, sent, send } = setup();
    const store = new FailingStore('STORE_CLOSED');
    scheduler.run(({ hot, expectObservable, cold }) => {
      const packets = hot<Packet>('-p-r', { p: p7, r: pubrel7 });
      // Fail deleteInbound from frame 2 on (the PUBLISH at frame 1 is stored normally).
      cold('--x').subscribe(() => store.failing.add('deleteInbound'));
      expectObservable(packets.pipe(exactlyOnceQos2(send, store, 4))).toBe('-p-#', { p: p7 }, new StoreError('STORE_CLOSED', 'test store: deleteInbound refused'));
    });
    expect(sent).toEqual([
      [1, { type: 'pubrec', packetId: 7 }],
      [3, { type: 'pubcomp', packetId: 7 }],
    ]);
    expect([...store.inbound()]).toEqual([7]); // still held: a resent PUBREL is answered again
  });
});
