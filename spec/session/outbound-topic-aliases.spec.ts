import type { PublishPacket } from '../../lib/codec/packet.js';
import { OutboundTopicAliases } from '../../lib/session/outbound-topic-aliases.js';

const pub = (topic: string, extra: Partial<PublishPacket> = {}): PublishPacket => ({
  type: 'publish',
  topic,
  payload: new Uint8Array(0),
  qos: 0,
  retain: false,
  dup: false,
  ...extra,
});
const wire = (p: PublishPacket): [string, number | undefined] => [p.topic, p.properties?.topicAlias];

describe('OutboundTopicAliases', () => {
  it('first PUBLISH of a topic: topic and alias; later ones: alias and an empty topic [MQTT-3.3.2-12]', () => {
    const aliases = new OutboundTopicAliases(2);
    expect([pub('a'), pub('a'), pub('b'), pub('a'), pub('b')].map((p) => wire(aliases.apply(p)))).toEqual([
      ['a', 1],
      ['', 1],
      ['b', 2],
      ['', 1],
      ['', 2],
    ]);
  });

  it('once all are taken, the least recently used topic gives its alias up (re-bound with the new topic)', () => {
    const aliases = new OutboundTopicAliases(2);
    const sent = ['a', 'b', 'a', 'c', 'b', 'a'].map((t) => wire(aliases.apply(pub(t))));
    expect(sent).toEqual([
      ['a', 1],
      ['b', 2],
      ['', 1], // a is now the most recent
      ['c', 2], // b was least recently used: c takes 2
      ['b', 1], // a was: b takes 1
      ['a', 2], // c was: a takes 2
    ]);
    for (const [, alias] of sent) expect(alias).toBeGreaterThanOrEqual(1); // never 0, at most the maximum [MQTT-3.3.2-9]
    expect(Math.max(...sent.map(([, a]) => a ?? 0))).toBeLessThanOrEqual(2);
  });

  it('keeps the other properties, leaves packets with an alias of their own, and does nothing with maximum 0', () => {
    const aliases = new OutboundTopicAliases(4);
    const withProps = aliases.apply(pub('t', { properties: { contentType: 'text/plain' } }));
    expect(withProps.properties).toEqual({ contentType: 'text/plain', topicAlias: 1 });
    const own = pub('x', { properties: { topicAlias: 3 } });
    expect(aliases.apply(own)).toBe(own);
    const none = new OutboundTopicAliases(0);
    const p = pub('t');
    expect(none.apply(p)).toBe(p);
  });

  it('forget(): a topic whose PUBLISH could not be sent is announced again', () => {
    const aliases = new OutboundTopicAliases(4);
    aliases.apply(pub('t'));
    aliases.forget('t');
    expect(wire(aliases.apply(pub('t')))).toEqual(['t', 1]);
  });
});
