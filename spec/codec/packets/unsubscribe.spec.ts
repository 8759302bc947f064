import { bytes, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

describe('UNSUBSCRIBE fixtures', () => {
  it('3.1.1 with two filters', () => {
    expectFixture({ type: 'unsubscribe', packetId: 11, topicFilters: ['a/b', 'c/#'] }, bytes(
      0xa2, //       type 10, flags 0b0010
      0x0c, //       remaining length 12
      0x00, 0x0b, // packet identifier 11
      0x00, 0x03, 'a/b', // filter 'a/b'
      0x00, 0x03, 'c/#', // filter 'c/#'
    ), 4);
  });

  it('5.0 with a user property and a shared subscription', () => {
    expectFixture({ type: 'unsubscribe', packetId: 11, topicFilters: ['$share/g/x'], properties: { userProperties: [['k', 'v']] } }, bytes(
      0xa2, //       UNSUBSCRIBE
      0x16, //       remaining length 22
      0x00, 0x0b, // packet identifier 11
      0x07, //       property length 7
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
      0x00, 0x0a, '$share/g/x', // filter
    ), 5);
  });
});

describe('UNSUBSCRIBE strictness and encode errors', () => {
  it('rejects flags other than 0b0010 and an empty filter list', () => {
    expectDecodeError(bytes(0xa0, 0x05, 0x00, 0x0b, 0x00, 0x01, 'a'), 4, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.2.2-1' });
    expectDecodeError(bytes(0xa2, 0x02, 0x00, 0x0b), 4, { code: 'DECODE_EMPTY_SUBSCRIPTIONS', offset: 4, specRef: 'MQTT-3.10.3-2', reasonCode: 0x82 });
    expectDecodeError(bytes(0xa2, 0x03, 0x00, 0x0b, 0x00), 5, { code: 'DECODE_EMPTY_SUBSCRIPTIONS', offset: 5, specRef: 'MQTT-3.10.3-2', reasonCode: 0x82 });
  });

  it('rejects a property UNSUBSCRIBE cannot carry and a truncated filter', () => {
    expectDecodeError(bytes(0xa2, 0x08, 0x00, 0x0b, 0x02, 0x0b, 0x01, 0x00, 0x01, 'a'), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 5 });
    expectDecodeError(bytes(0xa2, 0x05, 0x00, 0x0b, 0x00, 0x02, 'a'), 4, { code: 'DECODE_TRUNCATED', offset: 6 });
  });

  it('names the invalid field when encoding', () => {
    expectEncodeError({ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 4, { code: 'ENCODE_EMPTY_SUBSCRIPTIONS', field: 'topicFilters', specRef: 'MQTT-3.10.3-2' });
    expectEncodeError({ type: 'unsubscribe', packetId: 1, topicFilters: ['a', 'a+'] }, 4, { code: 'ENCODE_INVALID_TOPIC_FILTER', field: 'topicFilters[1]' });
    expectEncodeError({ type: 'unsubscribe', packetId: 65536, topicFilters: ['a'] }, 4, { code: 'ENCODE_INVALID_PACKET_ID', field: 'packetId' });
    expectEncodeError({ type: 'unsubscribe', packetId: 1, topicFilters: ['a'], properties: { reasonString: 'x' } }, 5, {
      code: 'ENCODE_INVALID_PROPERTY', field: 'properties.reasonString',
    });
  });
});
