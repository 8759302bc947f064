import { encode } from '../../../lib/codec/encode.js';
import { bytes, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

describe('AUTH fixtures (5.0 only)', () => {
  it('success uses the short form F0 00', () => {
    expectFixture({ type: 'auth', reasonCode: 0 }, bytes(
      0xf0, // type 15
      0x00, // remaining length 0: reason code Success, no properties
    ), 5);
    expect(encode({ type: 'auth' }, { protocolVersion: 5 })).toEqual(bytes(0xf0, 0x00));
  });

  it('re-authenticate without properties keeps the property length', () => {
    expectFixture({ type: 'auth', reasonCode: 0x19 }, bytes(
      0xf0, // AUTH
      0x02, // remaining length 2
      0x19, // Re-authenticate
      0x00, // property length 0
    ), 5);
  });

  it('continue authentication with every AUTH property', () => {
    const packet = {
      type: 'auth' as const,
      reasonCode: 0x18,
      properties: { authenticationMethod: 'SCRAM', authenticationData: bytes(1, 2), reasonString: 'r', userProperties: [['k', 'v'] as const] },
    };
    expectFixture(packet, bytes(
      0xf0, //       AUTH
      0x1a, //       remaining length 26
      0x18, //       Continue authentication
      0x18, //       property length 24
      0x15, 0x00, 0x05, 'SCRAM', // authentication method
      0x16, 0x00, 0x02, 0x01, 0x02, // authentication data
      0x1f, 0x00, 0x01, 'r', // reason string
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
    ), 5);
  });
});

describe('AUTH strictness and encode errors', () => {
  it('is a reserved packet type in 3.1.1, both ways', () => {
    expectDecodeError(bytes(0xf0, 0x00), 4, { code: 'DECODE_RESERVED_PACKET_TYPE', offset: 0 });
    expectEncodeError({ type: 'auth' }, 4, { code: 'ENCODE_UNSUPPORTED_PACKET', field: 'type' });
  });

  it('rejects flags, a reason code AUTH cannot carry and a property AUTH cannot carry', () => {
    expectDecodeError(bytes(0xf1, 0x00), 5, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.1.3-1' });
    expectDecodeError(bytes(0xf0, 0x02, 0x01, 0x00), 5, { code: 'DECODE_INVALID_REASON_CODE', offset: 2, specRef: 'MQTT-3.15.2-1', reasonCode: 0x82 });
    expectDecodeError(bytes(0xf0, 0x07, 0x18, 0x05, 0x11, 0x00, 0x00, 0x00, 0x01), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 4 });
  });

  it('names the invalid field when encoding', () => {
    expectEncodeError({ type: 'auth', reasonCode: 0x87 }, 5, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCode', specRef: 'MQTT-3.15.2-1' });
    expectEncodeError({ type: 'auth', reasonCode: 0x18, properties: { authenticationData: 'x' } }, 5, { code: 'ENCODE_INVALID_FIELD', field: 'properties.authenticationData' });
  });
});
