import { tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket, QoS } from '../../lib/codec/packet.js';
import { ProtocolError } from '../../lib/errors.js';
import { InboundAcks, ManualObserver, type Ack } from '../../lib/session/inbound-acks.js';
import { inboundWindow } from '../../lib/session/inbound-window.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';

const publish = (packetId: number, qos: QoS = 1): PublishPacket => ({
  type: 'publish',
  topic: 't',
  payload: new Uint8Array(0),
  qos,
  retain: false,
  dup: false,
  packetId: qos === 0 ? undefined : packetId,
});

/** A window of `size` whose every delivered message is held by one manual observer until the test acks it. */
function setup(size: number) {
  const acks = new InboundAcks({ send: () => undefined, store: new MemoryInFlightStore(), window: size, fail: () => undefined });
  const observer = new ManualObserver();
  const handles: Ack[] = [];
  const reads: string[] = [];
  const operator = inboundWindow({ acks, pause: () => reads.push('pause'), resume: () => reads.push('resume') });
  /** What the session does with each packet that passes: deliver a PUBLISH to the manual observer. */
  const handle = (packet: Packet): void => {
    if (packet.type === 'publish') acks.deliver(packet, packet, () => handles.push(acks.claim(observer)));
  };
  return { acks, handles, reads, operator, handle };
}

const ts = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('inboundWindow (marbles)', () => {
  it('holds the PUBLISH past the window, pauses reading, and passes it on (resuming) once an ack freed a unit', () => {
    ts().run(({ hot, cold, expectObservable }) => {
      const { handles, reads, operator, handle } = setup(2);
      const a = publish(1);
      const b = publish(2);
      const c = publish(3);
      const d = publish(4);
      const out = hot<Packet>('-a-b-c-d', { a, b, c, d }).pipe(operator, tap(handle));
      // The application acks the first message at frame 10, the second at 12.
      cold('----------x-y').subscribe((x) => handles[x === 'x' ? 0 : 1].ack());
      expectObservable(out).toBe('-a-b------c-d', { a, b, c, d });
      cold('-----------x').subscribe(() => expect(reads).toEqual(['pause'])); // still held: d waits for a unit
    });
  });

  it('resumes reading once everything held was passed on', () => {
    ts().run(({ hot, cold, expectObservable }) => {
      const { handles, reads, operator, handle } = setup(1);
      const a = publish(1);
      const b = publish(2);
      const out = hot<Packet>('-a-b', { a, b }).pipe(operator, tap(handle));
      cold('-----x').subscribe(() => handles[0].ack());
      expectObservable(out).toBe('-a---b', { a, b });
      cold('------x').subscribe(() => expect(reads).toEqual(['pause', 'resume']));
    });
  });

  it('passes other packets on at once while publishes are held', () => {
    ts().run(({ hot, expectObservable }) => {
      const { operator, handle } = setup(1);
      const a = publish(1);
      const b = publish(2);
      const p: Packet = { type: 'puback', packetId: 9 };
      const r: Packet = { type: 'pingresp' };
      const out = hot<Packet>('-a-b-p-r', { a, b, p, r }).pipe(operator, tap(handle));
      expectObservable(out).toBe('-a---p-r', { a, p, r });
    });
  });

  it('counts a QoS 0 message of a manual observer until acked (QoS 0 gets backpressure too)', () => {
    ts().run(({ hot, cold, expectObservable }) => {
      const { handles, operator, handle } = setup(1);
      const a = publish(0, 0);
      const b = publish(0, 0);
      const out = hot<Packet>('-a-b', { a, b }).pipe(operator, tap(handle));
      cold('------x').subscribe(() => handles[0].ack());
      expectObservable(out).toBe('-a----b', { a, b });
    });
  });

  it('strict: a QoS 1 PUBLISH past the window errors with ProtocolError 0x93 [MQTT-3.3.4-9]', () => {
    ts().run(({ hot, expectObservable }) => {
      const acks = new InboundAcks({ send: () => undefined, store: new MemoryInFlightStore(), window: 1, fail: () => undefined });
      const observer = new ManualObserver();
      const out = hot<Packet>('-a-b', { a: publish(1), b: publish(2) }).pipe(
        inboundWindow({ acks, pause: () => undefined, resume: () => undefined, strict: true }),
        tap((p) => {
          if (p.type === 'publish') acks.deliver(p, p, () => acks.claim(observer));
        }),
      );
      const error = new ProtocolError('the server sent more than Receive Maximum (1) unacknowledged QoS 1/2 messages', {
        reasonCode: 0x93,
        code: 'RECEIVE_MAXIMUM_EXCEEDED',
        specRef: 'MQTT-3.3.4-9',
      });
      expectObservable(out).toBe('-a-#', { a: publish(1) }, error);
    });
  });
});
