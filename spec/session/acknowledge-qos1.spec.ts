import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { acknowledgeQos1 } from '../../lib/session/acknowledge-qos1.js';

describe('acknowledgeQos1 (marbles)', () => {
  it('passes every packet on and answers each QoS 1 PUBLISH with PUBACK after delivering it', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const log: string[] = [];
    const q1: PublishPacket = { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 1, retain: false, dup: false, packetId: 5 };
    const q0: PublishPacket = { ...q1, qos: 0, packetId: undefined };
    scheduler.run(({ hot, expectObservable }) => {
      const out = hot<Packet>('-a-b-a|', { a: q1, b: q0 }).pipe(
        acknowledgeQos1((ack) => log.push(`${scheduler.now()}:${ack.type}:${ack.packetId}`)),
      );
      out.subscribe((p) => log.push(`${scheduler.now()}:deliver:${p.type}`));
      expectObservable(out).toBe('-a-b-a|', { a: q1, b: q0 });
    });
    // Delivery comes before the acknowledgement; QoS 0 gets none. (Two subscribers: two PUBACKs per message.)
    expect(log.filter((l) => l.startsWith('1:'))).toEqual(['1:deliver:publish', '1:puback:5', '1:puback:5']);
    expect(log.filter((l) => l.startsWith('3:'))).toEqual(['3:deliver:publish']);
  });

  it('errors the stream with what send throws instead of letting it escape', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const q1: PublishPacket = { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 1, retain: false, dup: false, packetId: 5 };
    const failure = new Error('transport refused the PUBACK');
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const packets = hot<Packet>('-a-a', { a: q1 });
      const out = packets.pipe(
        acknowledgeQos1(() => {
          throw failure;
        }),
      );
      expectObservable(out).toBe('-(a#)', { a: q1 }, failure);
      expectSubscriptions(packets.subscriptions).toBe('^!');
    });
  });
});
