import { of, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket, QoS } from '../../lib/codec/packet.js';
import { ConnectionClosedError, StoreError } from '../../lib/errors.js';
import { InboundAcks, ManualObserver, type Ack } from '../../lib/session/inbound-acks.js';
import { exactlyOnceQos2 } from '../../lib/session/exactly-once-qos2.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import { FailingStore } from './failing-store.js';

const publish = (packetId: number, qos: QoS = 1, topic = 't'): PublishPacket => ({
  type: 'publish',
  topic,
  payload: new Uint8Array(0),
  qos,
  retain: false,
  dup: false,
  packetId: qos === 0 ? undefined : packetId,
});

function setup(store = new MemoryInFlightStore()) {
  const sent: Packet[] = [];
  const failures: unknown[] = [];
  const acks = new InboundAcks({ send: (p) => void sent.push(p), store, fail: (e) => void failures.push(e) });
  /** Delivers one message to `observers` manual observers (and auto ones when 0); returns their handles. */
  const deliver = (packet: PublishPacket, ...observers: ManualObserver[]): Ack[] => {
    const handles: Ack[] = [];
    acks.deliver(packet, packet, () => {
      for (const o of observers) handles.push(acks.claim(o));
    });
    return handles;
  };
  const wire = (): string[] => sent.map((p) => `${p.type}:${'packetId' in p ? p.packetId : ''}`);
  return { acks, sent, failures, deliver, wire, store };
}

describe('InboundAcks', () => {
  it('acks auto messages at once, after delivery', () => {
    const { deliver, wire, acks } = setup();
    deliver(publish(1));
    deliver(publish(2, 2));
    deliver(publish(0, 0));
    expect(wire()).toEqual(['puback:1', 'pubrec:2']);
    expect(acks.pending).toBe(0);
    expect(acks.inUse).toBe(1); // the QoS 2 message until PUBCOMP
    acks.released();
    expect(acks.inUse).toBe(0);
  });

  it('sends PUBACKs in arrival order whatever order the application acks in [MQTT-4.6.0-2]', () => {
    const { deliver, wire, acks } = setup();
    const o = new ManualObserver();
    const [h1] = deliver(publish(1), o);
    const [h2] = deliver(publish(2), o);
    const [h3] = deliver(publish(3), o);
    expect(acks.inUse).toBe(3);
    h3.ack();
    h2.ack();
    expect(wire()).toEqual([]); // 2 and 3 wait for 1
    h1.ack();
    expect(wire()).toEqual(['puback:1', 'puback:2', 'puback:3']);
    expect(acks.inUse).toBe(0);
    expect(o.outstanding).toBe(0);
  });

  it('in virtual time: acks of 3, 1, 2 at frames 2, 4, 6 send PUBACK 1 at 4, then 2 and 3 at 6 (marbles)', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const out = new Subject<string>();
      const acks = new InboundAcks({ send: (p) => out.next(`${p.type}:${'packetId' in p ? p.packetId : ''}`), store: new MemoryInFlightStore(), fail: () => undefined });
      const o = new ManualObserver();
      const handles = new Map<number, Ack>();
      for (const id of [1, 2, 3]) acks.deliver(publish(id), undefined, () => handles.set(id, acks.claim(o)));
      // The application finishes 3 first, then 1 (PUBACK 1 leaves), then 2 (PUBACK 2 and 3 leave).
      cold('--a-b-c', { a: 3, b: 1, c: 2 }).subscribe((id) => handles.get(id)!.ack());
      expectObservable(out).toBe('----a-(bc)', { a: 'puback:1', b: 'puback:2', c: 'puback:3' });
    });
  });

  it('keeps QoS 1 and QoS 2 in one arrival order, and an auto message waits behind a manual one [MQTT-4.6.0-3]', () => {
    const { deliver, wire } = setup();
    const o = new ManualObserver();
    const [h1] = deliver(publish(1, 2), o);
    deliver(publish(2, 1)); // auto only
    deliver(publish(3, 0)); // QoS 0: nothing to wait for
    expect(wire()).toEqual([]);
    h1.ack();
    expect(wire()).toEqual(['pubrec:1', 'puback:2']);
  });

  it('acknowledges a message shared by several manual observers once all of them acked it', () => {
    const { deliver, wire, acks } = setup();
    const a = new ManualObserver();
    const b = new ManualObserver();
    const [ha, hb] = deliver(publish(7), a, b);
    ha.ack();
    ha.ack(); // idempotent: does not count for b
    expect(wire()).toEqual([]);
    hb.ack();
    expect(wire()).toEqual(['puback:7']);
    expect(acks.inUse).toBe(0);
  });

  it('a synchronous ack during the dispatch does not acknowledge before the other observers got the message', () => {
    const { acks, wire } = setup();
    const a = new ManualObserver();
    const b = new ManualObserver();
    let hb: Ack | undefined;
    acks.deliver(publish(4), undefined, () => {
      acks.claim(a).ack(); // acked inside next()
      expect(wire()).toEqual([]);
      hb = acks.claim(b);
    });
    expect(wire()).toEqual([]);
    hb!.ack();
    expect(wire()).toEqual(['puback:4']);
  });

  it('QoS 0 manual messages hold a window unit until acked and send nothing', () => {
    const { deliver, wire, acks } = setup();
    const [h] = deliver(publish(0, 0), new ManualObserver());
    expect(acks.inUse).toBe(1);
    h.ack();
    expect(acks.inUse).toBe(0);
    expect(wire()).toEqual([]);
  });

  it('records a manual QoS 2 identifier only when its PUBREC leaves', () => {
    const { deliver, store } = setup();
    const [h] = deliver(publish(9, 2), new ManualObserver());
    expect(store.hasInbound(9)).toBe(false);
    h.ack();
    expect(store.hasInbound(9)).toBe(true);
  });

  it('a resend of a held QoS 2 identifier gets its PUBREC in its place in the order', () => {
    const { deliver, acks, wire } = setup();
    const [h] = deliver(publish(1), new ManualObserver());
    acks.resendPubrec(5);
    expect(wire()).toEqual([]);
    h.ack();
    expect(wire()).toEqual(['puback:1', 'pubrec:5']);
  });

  it('never acknowledges what was pending when the connection closed', () => {
    const { deliver, acks, wire } = setup();
    const o = new ManualObserver();
    const [h] = deliver(publish(1), o);
    acks.close();
    h.ack();
    expect(wire()).toEqual([]);
    acks.abandon(o); // nothing to recycle on a closed connection
    expect(acks.isClosed).toBe(true);
  });

  it('recycles the connection when a manual observer leaves holding unacked messages', () => {
    const { deliver, acks, failures } = setup();
    const o = new ManualObserver();
    const [h] = deliver(publish(1), o);
    const other = new ManualObserver();
    acks.abandon(other); // holds nothing: no effect
    expect(failures).toEqual([]);
    acks.abandon(o);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(ConnectionClosedError);
    expect((failures[0] as ConnectionClosedError).code).toBe('UNACKED_ABANDONED');
    h.ack(); // still harmless
  });

  it('an observer that acked everything may leave without effect', () => {
    const { deliver, acks, failures } = setup();
    const o = new ManualObserver();
    deliver(publish(1), o)[0].ack();
    acks.abandon(o);
    expect(failures).toEqual([]);
  });

  it('a store that throws when a PUBREC leaves ends the connection through fail, not the ack() caller', () => {
    const store = new FailingStore('STORE_IO');
    const { deliver, failures, wire, acks } = setup(store);
    const [h] = deliver(publish(3, 2), new ManualObserver());
    store.failing.add('addInbound');
    expect(() => h.ack()).not.toThrow();
    expect(failures[0]).toBeInstanceOf(StoreError);
    expect(wire()).toEqual([]);
    expect(acks.isClosed).toBe(true);
  });

  it('a claim outside a delivery holds nothing and its ack does nothing', () => {
    const { acks, wire } = setup();
    acks.claim(new ManualObserver()).ack();
    expect(acks.inUse).toBe(0);
    expect(wire()).toEqual([]);
  });

  it('with exactlyOnceQos2: a resend while PUBREC waits is not delivered again; one after PUBREC is answered in order', () => {
    const { acks, wire, store, sent } = setup();
    const observer = new ManualObserver();
    const handles: Ack[] = [];
    const delivered: number[] = [];
    const packets = [publish(5, 2), { ...publish(5, 2), dup: true }];
    of(...packets)
      .pipe(exactlyOnceQos2((p) => void sent.push(p), store, 5, acks, () => false))
      .subscribe((p) => {
        if (p.type !== 'publish') return;
        delivered.push(p.packetId ?? 0);
        acks.deliver(p, p, () => handles.push(acks.claim(observer)));
      });
    expect(delivered).toEqual([5]); // the DUP waited for the same PUBREC
    expect(store.hasInbound(5)).toBe(false); // recorded when PUBREC leaves
    handles[0].ack();
    expect(wire()).toEqual(['pubrec:5']);
    of({ ...publish(5, 2), dup: true }).pipe(exactlyOnceQos2((p) => void sent.push(p), store, 5, acks)).subscribe(() => delivered.push(-1));
    expect(delivered).toEqual([5]); // held now: a duplicate [MQTT-4.3.3-10]
    expect(wire()).toEqual(['pubrec:5', 'pubrec:5']);
  });
});
