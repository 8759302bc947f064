import { bytes, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

describe('SUBACK fixtures', () => {
  it('3.1.1 with every return code', () => {
    expectFixture({ type: 'suback', packetId: 10, reasonCodes: [0, 1, 2, 0x80] }, bytes(
      0x90, //       type 9
      0x06, //       remaining length 6
      0x00, 0x0a, // packet identifier 10
      0x00, 0x01, 0x02, 0x80, // granted QoS 0, 1, 2, failure
    ), 4);
  });

  it('5.0 without properties', () => {
    expectFixture({ type: 'suback', packetId: 10, reasonCodes: [0] }, bytes(
      0x90, 0x04, 0x00, 0x0a,
      0x00, //       property length 0
      0x00, //       Granted QoS 0
    ), 5);
  });

  it('5.0 with a reason string and failure codes', () => {
    expectFixture({ type: 'suback', packetId: 10, reasonCodes: [0x01, 0x87, 0xa2], properties: { reasonString: 'r' } }, bytes(
      0x90, //       SUBACK
      0x0a, //       remaining length 10
      0x00, 0x0a, // packet identifier 10
      0x04, //       property length 4
      0x1f, 0x00, 0x01, 'r', // reason string 'r'
      0x01, //       Granted QoS 1
      0x87, //       Not authorized
      0xa2, //       Wildcard Subscriptions not supported
    ), 5);
  });
});

describe('SUBACK strictness and encode errors', () => {
  it('rejects reserved return codes and reason codes SUBACK cannot carry', () => {
    expectDecodeError(bytes(0x90, 0x03, 0x00, 0x0a, 0x03), 4, { code: 'DECODE_INVALID_REASON_CODE', offset: 4, specRef: 'MQTT-3.9.3-2' });
    expectDecodeError(bytes(0x90, 0x04, 0x00, 0x0a, 0x00, 0x10), 5, { code: 'DECODE_INVALID_REASON_CODE', offset: 5, reasonCode: 0x82 });
  });

  it('rejects an empty list, wrong flags and a property SUBACK cannot carry', () => {
    expectDecodeError(bytes(0x90, 0x02, 0x00, 0x0a), 4, { code: 'DECODE_TRUNCATED', offset: 4 });
    expectDecodeError(bytes(0x92, 0x03, 0x00, 0x0a, 0x00), 4, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.2.2-1' });
    expectDecodeError(bytes(0x90, 0x06, 0x00, 0x0a, 0x02, 0x0b, 0x01, 0x00), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 5 });
  });

  it('names the invalid field when encoding', () => {
    expectEncodeError({ type: 'suback', packetId: 1, reasonCodes: [] }, 4, { code: 'ENCODE_INVALID_FIELD', field: 'reasonCodes' });
    expectEncodeError({ type: 'suback', packetId: 1, reasonCodes: [0, 0x87] }, 4, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCodes[1]', specRef: 'MQTT-3.9.3-2' });
    expectEncodeError({ type: 'suback', packetId: 1, reasonCodes: [0x10] }, 5, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCodes[0]' });
    expectEncodeError({ type: 'suback', packetId: 0, reasonCodes: [0] }, 5, { code: 'ENCODE_INVALID_PACKET_ID', field: 'packetId' });
  });
});
