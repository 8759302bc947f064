import { Observable, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { decodePackets } from '../../lib/operators/decode-packets.js';
import { DecodeError, InvalidArgumentError } from '../../lib/errors.js';
import type { Packet } from '../../lib/codec/packet.js';

/** Matches an error by class and, when given, by code (jest treats it as an asymmetric matcher). */
function errorLike(type: abstract new (...args: never[]) => Error, code?: string) {
  return {
    asymmetricMatch: (e: unknown) => e instanceof type && (code === undefined || (e as { code?: string }).code === code),
    toString: () => `${type.name}${code ? `(${code})` : ''}`,
  };
}

const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

// PINGRESP: type 13 << 4, remaining length 0 (MQTT 3.1.1 section 3.13).
const PINGRESP = [0xd0, 0x00];
// PUBACK 3.1.1: type 4 << 4, remaining length 2, packet id 0x0007.
const PUBACK_7 = [0x40, 0x02, 0x00, 0x07];
// PUBLISH QoS 0: type 3 << 4, remaining length 7, topic length 3, "a/b", payload "hi".
const PUBLISH_AB = [0x30, 0x07, 0x00, 0x03, ...ascii('a/b'), ...ascii('hi')];

const pingresp: Packet = { type: 'pingresp' };
const puback7: Packet = { type: 'puback', packetId: 7 };
const publishAb: Packet = { type: 'publish', topic: 'a/b', payload: bytes(...ascii('hi')), qos: 0, retain: false, dup: false };

describe('decodePackets', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits one packet per whole packet chunk, in order, and completes with the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: bytes(...PINGRESP), b: bytes(...PUBACK_7), c: bytes(...PUBLISH_AB) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 }))).toBe('-x-y-z-|', { x: pingresp, y: puback7, z: publishAb });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('reassembles a packet split over several chunks and emits it when the last piece arrives', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c|', {
        a: bytes(...PUBLISH_AB.slice(0, 1)),
        b: bytes(...PUBLISH_AB.slice(1, 5)),
        c: bytes(...PUBLISH_AB.slice(5)),
      });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 }))).toBe('-----z|', { z: publishAb });
    });
  });

  it('emits every packet of a chunk that holds several, in the same frame', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // A group '(xyz)' is five frames wide, so the source completes at frame 9 to line up.
      const source = cold('--a------|', { a: bytes(...PUBACK_7, ...PUBLISH_AB, ...PINGRESP) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 }))).toBe('--(xyz)--|', { x: puback7, y: publishAb, z: pingresp });
    });
  });

  it('carries a packet that ends inside a chunk holding the start of the next one', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const all = [...PUBLISH_AB, ...PUBACK_7];
      const source = cold('-a-b|', { a: bytes(...all.slice(0, 11)), b: bytes(...all.slice(11)) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 }))).toBe('-z-y|', { z: publishAb, y: puback7 });
    });
  });

  it('errors with a DecodeError on malformed bytes, after the packets before them, and unsubscribes the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // Packet type 0 is reserved (MQTT 3.1.1 table 2.1): a stream holding it can no longer be framed.
      const source = cold('-a-b-c-|', { a: bytes(...PINGRESP), b: bytes(...PUBACK_7, 0x00, 0x00), c: bytes(...PINGRESP) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 }))).toBe('-x-(y#)', { x: pingresp, y: puback7 }, errorLike(DecodeError));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('errors with DECODE_PACKET_TOO_LARGE as soon as a fixed header announces more than maximumPacketSize', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // PUBACK (4 bytes) fits a limit of 8; the 9-byte PUBLISH is refused on its first two bytes.
      const source = cold('-a-b-c-|', { a: bytes(...PUBACK_7), b: bytes(...PUBLISH_AB.slice(0, 2)), c: bytes(...PUBLISH_AB.slice(2)) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4, maximumPacketSize: 8 }))).toBe(
        '-y-#',
        { y: puback7 },
        errorLike(DecodeError, 'DECODE_PACKET_TOO_LARGE'),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('errors with DECODE_TRUNCATED when the source completes inside a packet', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-|', { a: bytes(...PINGRESP), b: bytes(...PUBLISH_AB.slice(0, 4)) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 }))).toBe('-x---#', { x: pingresp }, errorLike(DecodeError, 'DECODE_TRUNCATED'));
    });
  });

  it('errors with DECODE_TRUNCATED when the source completes inside a fixed header', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // 0x30 0x80: the remaining length continues into a byte that never came.
      const source = cold('-a|', { a: bytes(0x30, 0x80) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 }))).toBe('--#', {}, errorLike(DecodeError, 'DECODE_TRUNCATED'));
    });
  });

  it('completes normally when the source completes on a packet boundary, including without any bytes', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-|', { a: bytes(...PINGRESP) }).pipe(decodePackets({ protocolVersion: 4 }))).toBe('-x-|', { x: pingresp });
      expectObservable(cold<Uint8Array>('---|').pipe(decodePackets({ protocolVersion: 4 }))).toBe('---|');
      expectObservable(cold('-a-|', { a: bytes() }).pipe(decodePackets({ protocolVersion: 4 }))).toBe('---|');
    });
  });

  it('passes source errors through unchanged', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failure = new Error('socket reset');
      expectObservable(cold('-a-#', { a: bytes(...PINGRESP) }, failure).pipe(decodePackets({ protocolVersion: 4 }))).toBe('-x-#', { x: pingresp }, failure);
    });
  });

  it('unsubscribes the source when the consumer unsubscribes early, and drops a partial packet silently', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: bytes(...PINGRESP), b: bytes(...PUBLISH_AB.slice(0, 3)), c: bytes(...PUBLISH_AB.slice(3)) });
      expectObservable(source.pipe(decodePackets({ protocolVersion: 4 })), '^---!').toBe('-x--', { x: pingresp });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('gives each subscription its own decoder', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // The same bytes frame differently for a subscriber that joined in the middle: the first sees
      // 0x40 0x02 0xd0 0x00 (PUBACK, packet id 0xd000), the second only 0xd0 0x00 (PINGRESP).
      const source = hot('-a-b-|', { a: bytes(0x40, 0x02), b: bytes(0xd0, 0x00) });
      const decoded = source.pipe(decodePackets({ protocolVersion: 4 }));
      expectObservable(decoded).toBe('---x-|', { x: { type: 'puback', packetId: 0xd000 } });
      expectObservable(decoded, '--^').toBe('---y-|', { y: pingresp });
    });
  });

  it('adopts the protocol version of CONNECT when none is given (server side)', () => {
    // MQTT 5.0 CONNECT: name "MQTT", level 5, flags 0x02 (clean start), keep alive 60, no properties, empty client id.
    const connect5 = [0x10, 0x0d, 0x00, 0x04, ...ascii('MQTT'), 0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x00];
    // MQTT 5.0 PUBACK with reason code 0x10 (no matching subscribers) and no properties.
    const puback5 = [0x40, 0x03, 0x00, 0x07, 0x10];
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a---|', { a: bytes(...connect5, ...puback5) });
      expectObservable(source.pipe(decodePackets())).toBe('-(cp)|', {
        c: { type: 'connect', protocolVersion: 5, clientId: '', cleanStart: true, keepAlive: 60 },
        p: { type: 'puback', packetId: 7, reasonCode: 0x10 },
      });
    });
  });

  it('emits a payload as a view into the received chunk, not a copy', () => {
    const chunk = bytes(...PUBLISH_AB);
    const seen: Packet[] = [];
    new Observable<Uint8Array>((s) => { s.next(chunk); s.complete(); }).pipe(decodePackets({ protocolVersion: 4 })).subscribe((p) => seen.push(p));
    expect(seen).toHaveLength(1);
    const p = seen[0] as Extract<Packet, { type: 'publish' }>;
    expect(p.payload.buffer).toBe(chunk.buffer);
  });

  it('ignores chunks that arrive after it has failed', () => {
    const source = new Subject<Uint8Array>();
    const received: string[] = [];
    source.pipe(decodePackets({ protocolVersion: 4 })).subscribe({
      next: (p) => received.push(p.type),
      error: (e) => received.push(e instanceof DecodeError ? 'DecodeError' : 'other'),
    });
    source.next(bytes(0x00, 0x00));
    source.next(bytes(...PINGRESP));
    expect(received).toEqual(['DecodeError']);
    expect(source.observed).toBe(false);
  });

  it('rejects invalid options at once with InvalidArgumentError', () => {
    expect(() => decodePackets({ protocolVersion: 3 as never })).toThrow(InvalidArgumentError);
    expect(() => decodePackets({ maximumPacketSize: 0 })).toThrow(/maximumPacketSize/);
    expect(() => decodePackets({ maximumPacketSize: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => decodePackets({ maximumPacketSize: Number.POSITIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => decodePackets(null as never)).toThrow(InvalidArgumentError);
    expect(() => decodePackets({ protocolVersion: 5, maximumPacketSize: 268_435_460 })).not.toThrow();
  });
});
