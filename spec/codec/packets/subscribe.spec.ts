import type { SubscribePacket } from '../../../lib/codec/packet.js';
import { bytes, decodeAll, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

const subscribe = (fields: Partial<SubscribePacket>): SubscribePacket => ({
  type: 'subscribe', packetId: 10, subscriptions: [{ topicFilter: 'a/b', qos: 1 }], ...fields,
});

describe('SUBSCRIBE fixtures', () => {
  it('3.1.1 with two filters', () => {
    expectFixture(subscribe({ subscriptions: [{ topicFilter: 'a/b', qos: 1 }, { topicFilter: 'c/#', qos: 2 }] }), bytes(
      0x82, //       type 8, flags 0b0010
      0x0e, //       remaining length 14
      0x00, 0x0a, // packet identifier 10
      0x00, 0x03, 'a/b', 0x01, // filter 'a/b', requested QoS 1
      0x00, 0x03, 'c/#', 0x02, // filter 'c/#', requested QoS 2
    ), 4);
  });

  it('5.0 with properties, every subscription option and a shared subscription', () => {
    const packet = subscribe({
      properties: { subscriptionIdentifier: 5, userProperties: [['k', 'v']] },
      subscriptions: [
        { topicFilter: 'a/+', qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { topicFilter: '$share/g/x', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 1 },
      ],
    });
    expectFixture(packet, bytes(
      0x82, //       SUBSCRIBE
      0x1f, //       remaining length 31
      0x00, 0x0a, // packet identifier 10
      0x09, //       property length 9
      0x0b, 0x05, // subscription identifier 5
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
      0x00, 0x03, 'a/+', // filter 'a/+'
      0x2d, //       options: retain handling 2 (0x20), retain as published 0x08, no local 0x04, QoS 1
      0x00, 0x0a, '$share/g/x', // shared subscription: group 'g', filter 'x'
      0x10, //       options: retain handling 1, QoS 0
    ), 5);
  });

  it('5.0 largest subscription identifier, and 5.0 options default to false/0', () => {
    expectFixture(subscribe({
      properties: { subscriptionIdentifier: 268_435_455 },
      subscriptions: [{ topicFilter: '#', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }],
    }), bytes(
      0x82, 0x0c, 0x00, 0x0a, // SUBSCRIBE, remaining length 12, packet identifier 10
      0x05, 0x0b, 0xff, 0xff, 0xff, 0x7f, // subscription identifier 268 435 455 in four bytes
      0x00, 0x01, '#', 0x00,
    ), 5);
  });

  it('leaves filter validity to the server: an invalid filter decodes', () => {
    expect(decodeAll(bytes(0x82, 0x0a, 0x00, 0x0a, 0x00, 0x05, 'a/#/b', 0x00), 4)).toEqual([
      { type: 'subscribe', packetId: 10, subscriptions: [{ topicFilter: 'a/#/b', qos: 0 }] },
    ]);
  });
});

describe('SUBSCRIBE decoding strictness', () => {
  it('rejects fixed header flags other than 0b0010', () => {
    expectDecodeError(bytes(0x80, 0x06, 0x00, 0x0a, 0x00, 0x01, 'a', 0x00), 4, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.2.2-1' });
  });

  it('rejects an empty list of subscriptions', () => {
    expectDecodeError(bytes(0x82, 0x02, 0x00, 0x0a), 4, { code: 'DECODE_EMPTY_SUBSCRIPTIONS', offset: 4, specRef: 'MQTT-3.8.3-3', reasonCode: 0x82 });
    expectDecodeError(bytes(0x82, 0x03, 0x00, 0x0a, 0x00), 5, { code: 'DECODE_EMPTY_SUBSCRIPTIONS', offset: 5, specRef: 'MQTT-3.8.3-2', reasonCode: 0x82 });
  });

  it('rejects packet identifier 0 and a missing options byte', () => {
    expectDecodeError(bytes(0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 'a', 0x00), 4, { code: 'DECODE_INVALID_PACKET_ID', offset: 2, specRef: 'MQTT-2.3.1-1', reasonCode: 0x82 });
    expectDecodeError(bytes(0x82, 0x05, 0x00, 0x0a, 0x00, 0x01, 'a'), 4, { code: 'DECODE_TRUNCATED', offset: 7 });
  });

  it('rejects 3.1.1 reserved option bits and QoS 3', () => {
    expectDecodeError(bytes(0x82, 0x06, 0x00, 0x0a, 0x00, 0x01, 'a', 0x04), 4, { code: 'DECODE_INVALID_SUBSCRIPTION_OPTIONS', offset: 7, specRef: 'MQTT-3-8.3-4' });
    expectDecodeError(bytes(0x82, 0x06, 0x00, 0x0a, 0x00, 0x01, 'a', 0x03), 4, {
      code: 'DECODE_INVALID_SUBSCRIPTION_OPTIONS', offset: 7, specRef: 'MQTT-3-8.3-4', reasonCode: 0x82,
    });
  });

  it('rejects 5.0 QoS 3, reserved bits, retain handling 3 and no local on a shared subscription', () => {
    const v5 = (filter: string, options: number): Uint8Array => bytes(0x82, 0x06 + filter.length, 0x00, 0x0a, 0x00, 0x00, filter.length, filter, options);
    expectDecodeError(v5('a', 0x03), 5, { code: 'DECODE_INVALID_SUBSCRIPTION_OPTIONS', offset: 8, reasonCode: 0x82 });
    expectDecodeError(v5('a', 0x40), 5, { code: 'DECODE_INVALID_SUBSCRIPTION_OPTIONS', offset: 8, specRef: 'MQTT-3.8.3-5' });
    expectDecodeError(v5('a', 0x30), 5, { code: 'DECODE_INVALID_SUBSCRIPTION_OPTIONS', offset: 8, reasonCode: 0x82 });
    expectDecodeError(v5('$share/g/x', 0x04), 5, { code: 'DECODE_INVALID_SUBSCRIPTION_OPTIONS', offset: 17, specRef: 'MQTT-3.8.3-4', reasonCode: 0x82 });
  });

  it('rejects properties SUBSCRIBE cannot carry, a repeated subscription identifier and identifier 0', () => {
    expectDecodeError(bytes(0x82, 0x0a, 0x00, 0x0a, 0x03, 0x23, 0x00, 0x01, 0x00, 0x01, 'a', 0x00), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 5 });
    expectDecodeError(bytes(0x82, 0x0b, 0x00, 0x0a, 0x04, 0x0b, 0x01, 0x0b, 0x02, 0x00, 0x01, 'a', 0x00), 5, { code: 'DECODE_DUPLICATE_PROPERTY', offset: 7, reasonCode: 0x82 });
    expectDecodeError(bytes(0x82, 0x09, 0x00, 0x0a, 0x02, 0x0b, 0x00, 0x00, 0x01, 'a', 0x00), 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 5, reasonCode: 0x82 });
  });
});

describe('SUBSCRIBE encoding errors', () => {
  it('rejects an empty subscription list', () => {
    expectEncodeError(subscribe({ subscriptions: [] }), 4, { code: 'ENCODE_EMPTY_SUBSCRIPTIONS', field: 'subscriptions', specRef: 'MQTT-3.8.3-3' });
    expectEncodeError(subscribe({ subscriptions: [] }), 5, { code: 'ENCODE_EMPTY_SUBSCRIPTIONS', field: 'subscriptions', specRef: 'MQTT-3.8.3-2' });
  });

  it.each(['', 'a/#/b', 'a#', 'a+/b', '$share//x', '$share/g', '$share/g+/x', 'a\u0000'])('rejects the topic filter %j', (topicFilter) => {
    expectEncodeError(subscribe({ subscriptions: [{ topicFilter: 'ok', qos: 0 }, { topicFilter, qos: 0 }] }), 4, {
      code: 'ENCODE_INVALID_TOPIC_FILTER', field: 'subscriptions[1].topicFilter',
    });
  });

  it('rejects invalid options, packet identifier and properties', () => {
    expectEncodeError(subscribe({ subscriptions: [{ topicFilter: 'a', qos: 3 as never }] }), 4, { code: 'ENCODE_INVALID_QOS', field: 'subscriptions[0].qos' });
    expectEncodeError(subscribe({ subscriptions: [{ topicFilter: 'a', qos: 0, retainHandling: 3 as never }] }), 5, {
      code: 'ENCODE_INVALID_FIELD', field: 'subscriptions[0].retainHandling',
    });
    expectEncodeError(subscribe({ subscriptions: [{ topicFilter: '$share/g/a', qos: 0, noLocal: true }] }), 5, {
      code: 'ENCODE_INVALID_FIELD', field: 'subscriptions[0].noLocal', specRef: 'MQTT-3.8.3-4',
    });
    expectEncodeError(subscribe({ packetId: 0 }), 5, { code: 'ENCODE_INVALID_PACKET_ID', field: 'packetId' });
    expectEncodeError(subscribe({ properties: { subscriptionIdentifier: 0 } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.subscriptionIdentifier' });
    expectEncodeError(subscribe({ properties: { subscriptionIdentifier: 268_435_456 } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.subscriptionIdentifier' });
  });
});
