import { InboundTopicAliases } from '../../lib/broker/inbound-topic-aliases';
import type { PublishPacket } from '../../lib/codec/packet';
import { ProtocolError } from '../../lib/errors';

const publish = (topic: string, topicAlias?: number): PublishPacket => ({
  type: 'publish',
  topic,
  payload: new Uint8Array(0),
  qos: 0,
  retain: false,
  dup: false,
  properties: topicAlias === undefined ? undefined : { topicAlias },
});

describe('InboundTopicAliases', () => {
  it('learns an alias from a PUBLISH with a topic, then resolves an empty topic with it', () => {
    const a = new InboundTopicAliases(4);
    expect(a.resolve(publish('a/b', 2))).toBe('a/b');
    expect(a.resolve(publish('', 2))).toBe('a/b');
    expect(a.resolve(publish('c', 2))).toBe('c'); // re-set
    expect(a.resolve(publish('', 2))).toBe('c');
    expect(a.resolve(publish('plain'))).toBe('plain');
  });

  it.each([
    ['alias 0', publish('t', 0), 'MQTT-3.3.2-9'],
    ['alias above the maximum', publish('t', 5), 'MQTT-3.3.2-9'],
    ['an alias never set, with an empty topic', publish('', 3), 'MQTT-3.3.2-12'],
    ['an empty topic without an alias', publish(''), 'MQTT-3.3.2-1'],
  ])('refuses %s with a ProtocolError', (_what, packet, specRef) => {
    const a = new InboundTopicAliases(4);
    let thrown: unknown;
    try {
      a.resolve(packet);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect(thrown).toMatchObject({ specRef });
  });
});
