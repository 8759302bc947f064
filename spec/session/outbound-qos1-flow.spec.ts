import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { ProtocolError, PublishFailedError } from '../../lib/errors.js';
import type { AckPacket } from '../../lib/session/ack-router.js';
import { outboundQos1Flow } from '../../lib/session/outbound-qos1-flow.js';

const publish: PublishPacket = { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 1, retain: false, dup: false, packetId: 3 };

function setup() {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const sent: [number, Packet['type']][] = [];
  const send = (p: Packet): void => void sent.push([scheduler.now(), p.type]);
  return { scheduler, sent, send };
}

describe('outboundQos1Flow (marbles)', () => {
  it('sends PUBLISH on subscribe and completes with the PUBACK', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const puback: AckPacket = { type: 'puback', packetId: 3, reasonCode: 0 };
      const acks = hot<AckPacket>('----a', { a: puback });
      expectObservable(outboundQos1Flow(publish, { send, acks, protocolVersion: 5 })).toBe('----(a|)', { a: puback });
      expectSubscriptions(acks.subscriptions).toBe('^---!');
    });
    expect(sent).toEqual([[0, 'publish']]);
  });

  it('sends nothing before it is subscribed (cold)', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('');
      expectObservable(outboundQos1Flow(publish, { send, acks, protocolVersion: 4 }), '---^ 2ms !').toBe('');
    });
    expect(sent).toEqual([[3, 'publish']]);
  });

  it('errors with PublishFailedError for a PUBACK reason code >= 0x80, with the reason string', () => {
    const { scheduler, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('--a', { a: { type: 'puback', packetId: 3, reasonCode: 0x97, properties: { reasonString: 'quota' } } });
      expectObservable(outboundQos1Flow(publish, { send, acks, protocolVersion: 5 })).toBe(
        '--#',
        undefined,
        new PublishFailedError('t', 0x97, { reasonString: 'quota' }),
      );
    });
  });

  it('treats 0x10 (no matching subscribers) as success', () => {
    const { scheduler, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const a: AckPacket = { type: 'puback', packetId: 3, reasonCode: 0x10 };
      expectObservable(outboundQos1Flow(publish, { send, acks: hot('-a', { a }), protocolVersion: 5 })).toBe('-(a|)', { a });
    });
  });

  it('errors with ProtocolError when a PUBREC answers a QoS 1 identifier', () => {
    const { scheduler, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const acks = hot<AckPacket>('-a', { a: { type: 'pubrec', packetId: 3 } });
      expectObservable(outboundQos1Flow(publish, { send, acks, protocolVersion: 4 })).toBe('-#', undefined, expect.any(ProtocolError));
    });
  });

  it('unsubscribing stops listening for the ack and sends nothing more', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const acks = hot<AckPacket>('----a', { a: { type: 'puback', packetId: 3 } });
      expectObservable(outboundQos1Flow(publish, { send, acks, protocolVersion: 4 }), '^-!').toBe('');
      expectSubscriptions(acks.subscriptions).toBe('^-!');
    });
    expect(sent).toEqual([[0, 'publish']]);
  });

  it('errors with what send throws (e.g. a packet too large), and with the ack stream error', () => {
    const { scheduler } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const boom = new Error('too large');
      const throwing = (): void => {
        throw boom;
      };
      expectObservable(outboundQos1Flow(publish, { send: throwing, acks: hot(''), protocolVersion: 4 })).toBe('#', undefined, boom);
      const lost = new Error('lost');
      expectObservable(outboundQos1Flow(publish, { send: () => undefined, acks: hot('--#', undefined, lost), protocolVersion: 4 })).toBe(
        '--#',
        undefined,
        lost,
      );
    });
  });
});
