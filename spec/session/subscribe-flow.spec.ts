import { TestScheduler } from 'rxjs/testing';
import type { Packet, SubscribePacket, UnsubscribePacket } from '../../lib/codec/packet.js';
import { ProtocolError } from '../../lib/errors.js';
import type { AckPacket } from '../../lib/session/ack-router.js';
import { subscribeFlow, unsubscribeFlow } from '../../lib/session/subscribe-flow.js';

const subscribe: SubscribePacket = { type: 'subscribe', packetId: 4, subscriptions: [{ topicFilter: 'a/#', qos: 1 }] };
const unsubscribe: UnsubscribePacket = { type: 'unsubscribe', packetId: 5, topicFilters: ['a/#'] };

function setup() {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const sent: [number, Packet['type']][] = [];
  return { scheduler, sent, send: (p: Packet): void => void sent.push([scheduler.now(), p.type]) };
}

describe('subscribeFlow / unsubscribeFlow (marbles)', () => {
  it('sends SUBSCRIBE on subscribe and completes with the SUBACK, refusals included', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const granted: AckPacket = { type: 'suback', packetId: 4, reasonCodes: [1] };
      const refused: AckPacket = { type: 'suback', packetId: 4, reasonCodes: [0x80] };
      expectObservable(subscribeFlow(subscribe, { send, acks: hot('--g', { g: granted }), protocolVersion: 4 })).toBe('--(g|)', { g: granted });
      expectObservable(subscribeFlow(subscribe, { send, acks: hot('-r', { r: refused }), protocolVersion: 4 })).toBe('-(r|)', { r: refused });
    });
    expect(sent).toEqual([
      [0, 'subscribe'],
      [0, 'subscribe'],
    ]);
  });

  it('errors with ProtocolError for a SUBACK with the wrong number of codes, or another ack type', () => {
    const { scheduler, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const two: AckPacket = { type: 'suback', packetId: 4, reasonCodes: [0, 0] };
      expectObservable(subscribeFlow(subscribe, { send, acks: hot('-x', { x: two }), protocolVersion: 4 })).toBe(
        '-#',
        undefined,
        expect.objectContaining({ specRef: 'MQTT-3.8.4-6' }),
      );
      const wrong: AckPacket = { type: 'unsuback', packetId: 4 };
      expectObservable(subscribeFlow(subscribe, { send, acks: hot('-x', { x: wrong }), protocolVersion: 4 })).toBe(
        '-#',
        undefined,
        expect.any(ProtocolError),
      );
    });
  });

  it('UNSUBSCRIBE completes with the UNSUBACK; MQTT 5 needs one reason code per filter', () => {
    const { scheduler, sent, send } = setup();
    scheduler.run(({ hot, expectObservable }) => {
      const v4: AckPacket = { type: 'unsuback', packetId: 5 };
      expectObservable(unsubscribeFlow(unsubscribe, { send, acks: hot('-u', { u: v4 }), protocolVersion: 4 })).toBe('-(u|)', { u: v4 });
      const v5: AckPacket = { type: 'unsuback', packetId: 5, reasonCodes: [0x11] };
      expectObservable(unsubscribeFlow(unsubscribe, { send, acks: hot('-u', { u: v5 }), protocolVersion: 5 })).toBe('-(u|)', { u: v5 });
      expectObservable(unsubscribeFlow(unsubscribe, { send, acks: hot('-u', { u: v4 }), protocolVersion: 5 })).toBe(
        '-#',
        undefined,
        expect.any(ProtocolError),
      );
    });
    expect(sent.map(([, t]) => t)).toEqual(['unsubscribe', 'unsubscribe', 'unsubscribe']);
  });
});
