import { from } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { encodePackets } from '../../lib/operators/encode-packets.js';
import { EncodeError, InvalidArgumentError } from '../../lib/errors.js';
import type { Packet } from '../../lib/codec/packet.js';

function errorLike(type: abstract new (...args: never[]) => Error, check: (e: never) => boolean = () => true) {
  return {
    asymmetricMatch: (e: unknown) => e instanceof type && check(e as never),
    toString: () => type.name,
  };
}

const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const pingreq: Packet = { type: 'pingreq' };
const puback7: Packet = { type: 'puback', packetId: 7 };
const publishAb: Packet = { type: 'publish', topic: 'a/b', payload: bytes(...ascii('hi')), qos: 0, retain: false, dup: false };

// PINGREQ: type 12 << 4, remaining length 0 (MQTT 3.1.1 section 3.12).
const PINGREQ = bytes(0xc0, 0x00);
// PUBACK 3.1.1: type 4 << 4, remaining length 2, packet id 0x0007.
const PUBACK_7 = bytes(0x40, 0x02, 0x00, 0x07);
// PUBLISH QoS 0: type 3 << 4, remaining length 7, topic length 3, "a/b", payload "hi".
const PUBLISH_AB = bytes(0x30, 0x07, 0x00, 0x03, ...ascii('a/b'), ...ascii('hi'));

describe('encodePackets', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits the exact bytes of each packet, in order, and completes with the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Packet>('-a-b-c-|', { a: pingreq, b: puback7, c: publishAb });
      expectObservable(source.pipe(encodePackets({ protocolVersion: 4 }))).toBe('-x-y-z-|', { x: PINGREQ, y: PUBACK_7, z: PUBLISH_AB });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('encodes MQTT 5.0 fields when asked for version 5', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Packet>('-a|', { a: { type: 'puback', packetId: 7, reasonCode: 0x10 } });
      // MQTT 5.0 PUBACK: remaining length 3, packet id 7, reason code 0x10; properties omitted when empty.
      expectObservable(source.pipe(encodePackets({ protocolVersion: 5 }))).toBe('-x|', { x: bytes(0x40, 0x03, 0x00, 0x07, 0x10) });
    });
  });

  it('errors with the EncodeError naming the field and unsubscribes the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // A topic name must not contain wildcard characters [MQTT-3.3.2-2].
      const bad: Packet = { ...publishAb, topic: 'a/+' } as Packet;
      const source = cold<Packet>('-a-b-c-|', { a: pingreq, b: bad, c: puback7 });
      expectObservable(source.pipe(encodePackets({ protocolVersion: 4 }))).toBe(
        '-x-#',
        { x: PINGREQ },
        errorLike(EncodeError, (e: EncodeError) => e.field.includes('topic')),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('errors with ENCODE_PACKET_TOO_LARGE when a packet exceeds maximumPacketSize', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Packet>('-a-b-|', { a: puback7, b: publishAb });
      // PUBACK is 4 bytes, the PUBLISH 9: a limit of 8 lets the first through only.
      expectObservable(source.pipe(encodePackets({ protocolVersion: 4, maximumPacketSize: 8 }))).toBe(
        '-y-#',
        { y: PUBACK_7 },
        errorLike(EncodeError, (e: EncodeError) => e.code === 'ENCODE_PACKET_TOO_LARGE'),
      );
    });
  });

  it('passes source errors through unchanged', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failure = new Error('upstream');
      expectObservable(cold<Packet>('-a-#', { a: pingreq }, failure).pipe(encodePackets({ protocolVersion: 4 }))).toBe('-x-#', { x: PINGREQ }, failure);
    });
  });

  it('unsubscribes the source when the consumer unsubscribes early', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Packet>('-a-b-c-|', { a: pingreq, b: puback7, c: publishAb });
      expectObservable(source.pipe(encodePackets({ protocolVersion: 4 })), '^---!').toBe('-x-y', { x: PINGREQ, y: PUBACK_7 });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('emits a separate byte array per packet, which later packets do not overwrite', () => {
    const seen: Uint8Array[] = [];
    from([pingreq, puback7, publishAb, pingreq]).pipe(encodePackets({ protocolVersion: 4 })).subscribe((b) => seen.push(b));
    // Compared only after all four were encoded: a kept array must still hold its own packet.
    expect(seen).toEqual([PINGREQ, PUBACK_7, PUBLISH_AB, PINGREQ]);
    expect(seen[0]).not.toBe(seen[3]);
  });

  it('rejects invalid options at once with InvalidArgumentError', () => {
    expect(() => encodePackets(undefined as never)).toThrow(InvalidArgumentError);
    expect(() => encodePackets({} as never)).toThrow(/protocolVersion/);
    expect(() => encodePackets({ protocolVersion: 6 as never })).toThrow(InvalidArgumentError);
    expect(() => encodePackets({ protocolVersion: 4, maximumPacketSize: -1 })).toThrow(/maximumPacketSize/);
    expect(() => encodePackets({ protocolVersion: 5, maximumPacketSize: 2 })).not.toThrow();
  });
});
