import { TestScheduler } from 'rxjs/testing';
import { ofType } from '../../lib/operators/of-type.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import type { Packet, PubackPacket } from '../../lib/codec/packet.js';

const pingresp: Packet = { type: 'pingresp' };
const puback: Packet = { type: 'puback', packetId: 1 };
const pubrec: Packet = { type: 'pubrec', packetId: 2 };
const publish: Packet = { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: false };

describe('ofType', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('lets through only the packets of one type', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Packet>('-a-b-c-d-|', { a: pingresp, b: puback, c: publish, d: puback });
      expectObservable(source.pipe(ofType('puback'))).toBe('---b---d-|', { b: puback, d: puback });
    });
  });

  it('lets through the packets of any of several types and passes errors through', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failure = new Error('boom');
      const source = cold<Packet>('-a-b-c-d-#', { a: pingresp, b: puback, c: publish, d: pubrec }, failure);
      expectObservable(source.pipe(ofType('puback', 'pubrec'))).toBe('---b---d-#', { b: puback, d: pubrec }, failure);
    });
  });

  it('unsubscribes the source when the consumer unsubscribes', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Packet>('-a-b-c-|', { a: puback, b: pingresp, c: puback });
      expectObservable(source.pipe(ofType('puback')), '^--!').toBe('-a-', { a: puback });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('narrows the packet union', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Packet>('-a-b|', { a: puback, b: publish });
      // Type-level check: the mapped value reads a field only PUBACK has in this union member.
      const ids = source.pipe(ofType('puback')).pipe((o) => {
        const typed: import('rxjs').Observable<PubackPacket> = o;
        return typed;
      });
      expectObservable(ids).toBe('-a--|', { a: puback });
    });
  });

  it('rejects an empty list or a name that is not a packet type', () => {
    expect(() => (ofType as (...t: string[]) => unknown)()).toThrow(InvalidArgumentError);
    expect(() => ofType('pubak' as never)).toThrow(/pubak/);
    expect(() => ofType('puback', 'toString' as never)).toThrow(InvalidArgumentError);
  });
});
