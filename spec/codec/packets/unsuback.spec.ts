import { encode } from '../../../lib/codec/encode.js';
import { bytes, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

describe('UNSUBACK fixtures', () => {
  it('3.1.1: packet identifier only', () => {
    expectFixture({ type: 'unsuback', packetId: 11 }, bytes(
      0xb0, //       type 11
      0x02, //       remaining length 2
      0x00, 0x0b, // packet identifier 11
    ), 4);
    // the 5.0 reason codes are left out
    expect(encode({ type: 'unsuback', packetId: 11, reasonCodes: [0] }, { protocolVersion: 4 })).toEqual(bytes(0xb0, 0x02, 0x00, 0x0b));
  });

  it('5.0 with one reason code per filter', () => {
    expectFixture({ type: 'unsuback', packetId: 11, reasonCodes: [0x00, 0x11] }, bytes(
      0xb0, //       UNSUBACK
      0x05, //       remaining length 5
      0x00, 0x0b, // packet identifier 11
      0x00, //       property length 0
      0x00, //       Success
      0x11, //       No subscription existed
    ), 5);
  });

  it('5.0 with a reason string', () => {
    expectFixture({ type: 'unsuback', packetId: 11, reasonCodes: [0x80], properties: { reasonString: 'x' } }, bytes(
      0xb0, 0x08, 0x00, 0x0b,
      0x04, //       property length 4
      0x1f, 0x00, 0x01, 'x', // reason string 'x'
      0x80, //       Unspecified error
    ), 5);
  });
});

describe('UNSUBACK strictness and encode errors', () => {
  it('rejects a missing or invalid 5.0 reason code and 3.1.1 leftover bytes', () => {
    expectDecodeError(bytes(0xb0, 0x03, 0x00, 0x0b, 0x00), 5, { code: 'DECODE_TRUNCATED', offset: 5 });
    expectDecodeError(bytes(0xb0, 0x04, 0x00, 0x0b, 0x00, 0x92), 5, { code: 'DECODE_INVALID_REASON_CODE', offset: 5, reasonCode: 0x82 });
    expectDecodeError(bytes(0xb0, 0x03, 0x00, 0x0b, 0x00), 4, { code: 'DECODE_TRAILING_BYTES', offset: 4 });
    expectDecodeError(bytes(0xb0, 0x02, 0x00, 0x00), 4, { code: 'DECODE_INVALID_PACKET_ID', offset: 2, specRef: 'MQTT-2.3.1-1', reasonCode: 0x82 });
  });

  it('names the invalid field when encoding', () => {
    expectEncodeError({ type: 'unsuback', packetId: 1 }, 5, { code: 'ENCODE_INVALID_FIELD', field: 'reasonCodes' });
    expectEncodeError({ type: 'unsuback', packetId: 1, reasonCodes: [0x92] }, 5, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCodes[0]' });
  });
});
