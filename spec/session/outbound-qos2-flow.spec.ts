import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { ProtocolError, PublishFailedError, StoreError } from '../../lib/errors.js';
import type { AckPacket } from '../../lib/session/ack-router.js';
import { outboundQos2Flow } from '../../lib/session/outbound-qos2-flow.js';

const publish: PublishPacket = { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, packetId: 9 };
const pubrec: AckPacket = { type: 'pubrec', packetId: 9 };
const pubcomp: AckPacket = { type: 'pubcomp', packetId: 9 };

function setup() {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const sent: [number, Packet['type']][] = [];
  const send = (p: Packet): void => void sent.push([scheduler.now(), p.type]);
  return { scheduler, sent, send };
}

describe('outboundQos2Flow (marbles)', () => {
  it('PUBLISH, PUBREC, PUBREL, PUBCOMP: sends PUBREL on PUBREC and completes with the PUBCOMP', () => {
    const { scheduler, sent, send } = setup();
    const released: number[] = [];
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('--r---c', { r: pubrec, c: pubcomp });
      const flow = outboundQos2Flow(publish, { send, acks, protocolVersion: 4 }, { onReleased: (id) => released.push(id) });
      expectObservable(flow).toBe('------(c|)', { c: pubcomp });
    });
    expect(sent).toEqual([
      [0, 'publish'],
      [2, 'pubrel'],
    ]);
    expect(released).toEqual([9]);
  });

  it('answers a repeated PUBREC with PUBREL again', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('-r-r-c', { r: pubrec, c: pubcomp });
      expectObservable(outboundQos2Flow(publish, { send, acks, protocolVersion: 4 })).toBe('-----(c|)', { c: pubcomp });
    });
    expect(sent.map(([, type]) => type)).toEqual(['publish', 'pubrel', 'pubrel']);
  });

  it('ends with PublishFailedError on a PUBREC >= 0x80 and sends no PUBREL', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('--r', { r: { type: 'pubrec', packetId: 9, reasonCode: 0x83, properties: { reasonString: 'nope' } } });
      expectObservable(outboundQos2Flow(publish, { send, acks, protocolVersion: 5 })).toBe(
        '--#',
        undefined,
        new PublishFailedError('t', 0x83, { reasonString: 'nope' }),
      );
    });
    expect(sent.map(([, type]) => type)).toEqual(['publish']);
  });

  it('ends with PublishFailedError on a PUBCOMP 0x92 (packet identifier not found)', () => {
    const { scheduler, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('-r-c', { r: pubrec, c: { type: 'pubcomp', packetId: 9, reasonCode: 0x92 } });
      expectObservable(outboundQos2Flow(publish, { send, acks, protocolVersion: 5 })).toBe('---#', undefined, new PublishFailedError('t', 0x92));
    });
  });

  it('completes a flow resumed from PUBREL when PUBCOMP says 0x92 (already completed before the reconnect)', () => {
    const { scheduler, sent, send } = setup();
    const notFound: AckPacket = { type: 'pubcomp', packetId: 9, reasonCode: 0x92 };
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('--c', { c: notFound });
      expectObservable(outboundQos2Flow(publish, { send, acks, protocolVersion: 5 }, { from: 'pubrel' })).toBe('--(c|)', { c: notFound });
    });
    expect(sent.map(([, type]) => type)).toEqual(['pubrel']);
  });

  it('errors with ProtocolError for a PUBCOMP before PUBREC, or a PUBACK', () => {
    const { scheduler, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(outboundQos2Flow(publish, { send, acks: hot('-c', { c: pubcomp }), protocolVersion: 4 })).toBe(
        '-#',
        undefined,
        expect.any(ProtocolError),
      );
      const puback: AckPacket = { type: 'puback', packetId: 9 };
      expectObservable(outboundQos2Flow(publish, { send, acks: hot('--a', { a: puback }), protocolVersion: 4 })).toBe(
        '--#',
        undefined,
        expect.any(ProtocolError),
      );
    });
  });

  it("resumes from 'pubrel' by sending PUBREL first", () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('---c', { c: pubcomp });
      expectObservable(outboundQos2Flow(publish, { send, acks, protocolVersion: 4 }, { from: 'pubrel' })).toBe('---(c|)', { c: pubcomp });
    });
    expect(sent).toEqual([[0, 'pubrel']]);
  });

  it('unsubscribing after PUBREC sends nothing more and stops listening', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const acks = hot<AckPacket>('-r---c', { r: pubrec, c: pubcomp });
      expectObservable(outboundQos2Flow(publish, { send, acks, protocolVersion: 4 }), '^--!').toBe('');
      expectSubscriptions(acks.subscriptions).toBe('^--!');
    });
    expect(sent.map(([, type]) => type)).toEqual(['publish', 'pubrel']);
  });

  it('errors with the StoreError onReleased throws, sends no PUBREL and stops listening', () => {
    const { scheduler, sent, send } = setup();
    const failure = new StoreError('STORE_IO', 'disk full');
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const acks = hot<AckPacket>('--r-c', { r: pubrec, c: pubcomp });
      const flow = outboundQos2Flow(publish, { send, acks, protocolVersion: 5 }, {
        onReleased: () => {
          throw failure;
        },
      });
      expectObservable(flow).toBe('--#', undefined, failure);
      expectSubscriptions(acks.subscriptions).toBe('^-!');
    });
    expect(sent).toEqual([[0, 'publish']]);
  });

  it('errors with what send throws for the PUBLISH, and stops listening', () => {
    const { scheduler } = setup();
    const failure = new Error('encode failed');
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const acks = hot<AckPacket>('--r', { r: pubrec });
      const send = (): void => {
        throw failure;
      };
      expectObservable(outboundQos2Flow(publish, { send, acks, protocolVersion: 5 })).toBe('#', undefined, failure);
      expectSubscriptions(acks.subscriptions).toBe('(^!)');
    });
  });
});
