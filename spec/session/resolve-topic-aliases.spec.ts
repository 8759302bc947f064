import { TestScheduler } from 'rxjs/testing';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { ProtocolError } from '../../lib/errors.js';
import { resolveTopicAliases } from '../../lib/session/resolve-topic-aliases.js';

const base: PublishPacket = { type: 'publish', topic: '', payload: new Uint8Array(0), qos: 0, retain: false, dup: false };
const withAlias = (topic: string, topicAlias: number): PublishPacket => ({ ...base, topic, properties: { topicAlias } });

describe('resolveTopicAliases (marbles)', () => {
  const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it('sets an alias from a PUBLISH with a topic and fills in the topic of later ones', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const set1 = withAlias('a/b', 1);
      const use1 = withAlias('', 1);
      const reset1 = withAlias('c', 1);
      const plain = { ...base, topic: 'plain' };
      const source = hot<Packet>('-a-b-c-d-e', { a: set1, b: use1, c: reset1, d: use1, e: plain });
      expectObservable(source.pipe(resolveTopicAliases(4))).toBe('-a-b-c-d-e', {
        a: set1,
        b: { ...use1, topic: 'a/b' },
        c: reset1,
        d: { ...use1, topic: 'c' },
        e: plain,
      });
    });
  });

  it('errors with ProtocolError 0x94 for alias 0 or one above our maximum', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const tooBig = hot<Packet>('-a', { a: withAlias('x', 5) }).pipe(resolveTopicAliases(4));
      expectObservable(tooBig).toBe('-#', undefined, expect.objectContaining({ reasonCode: 0x94, specRef: 'MQTT-3.3.2-11' }));
      const zero = hot<Packet>('-a', { a: withAlias('x', 0) }).pipe(resolveTopicAliases(4));
      expectObservable(zero).toBe('-#', undefined, expect.objectContaining({ reasonCode: 0x94, specRef: 'MQTT-3.3.2-8' }));
      const none = hot<Packet>('-a', { a: withAlias('x', 1) }).pipe(resolveTopicAliases(0));
      expectObservable(none).toBe('-#', undefined, expect.any(ProtocolError));
    });
  });

  it('errors with ProtocolError when an empty topic uses an alias never set', () => {
    scheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot<Packet>('-a', { a: withAlias('', 2) }).pipe(resolveTopicAliases(4))).toBe(
        '-#',
        undefined,
        expect.objectContaining({ code: 'TOPIC_ALIAS_UNKNOWN', reasonCode: 0x82 }),
      );
    });
  });
});
