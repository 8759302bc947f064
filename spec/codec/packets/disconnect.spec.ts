import { encode } from '../../../lib/codec/encode.js';
import { bytes, decodeAll, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

describe('DISCONNECT fixtures', () => {
  it('3.1.1 is E0 00', () => {
    expectFixture({ type: 'disconnect' }, bytes(
      0xe0, // type 14
      0x00, // remaining length 0
    ), 4);
    expect(encode({ type: 'disconnect', reasonCode: 0x04 }, { protocolVersion: 4 })).toEqual(bytes(0xe0, 0x00));
  });

  it('5.0 normal disconnection uses the short form', () => {
    expectFixture({ type: 'disconnect', reasonCode: 0 }, bytes(0xe0, 0x00), 5);
    expect(encode({ type: 'disconnect' }, { protocolVersion: 5 })).toEqual(bytes(0xe0, 0x00));
  });

  it('5.0 reason code without properties', () => {
    expectFixture({ type: 'disconnect', reasonCode: 0x04 }, bytes(
      0xe0, // DISCONNECT
      0x01, // remaining length 1
      0x04, // Disconnect with Will Message (property length left out)
    ), 5);
  });

  it('5.0 with every DISCONNECT property', () => {
    const packet = {
      type: 'disconnect' as const,
      reasonCode: 0x8e,
      properties: { sessionExpiryInterval: 0, reasonString: 'bye', serverReference: 's', userProperties: [['k', 'v'] as const] },
    };
    expectFixture(packet, bytes(
      0xe0, //       DISCONNECT
      0x18, //       remaining length 24
      0x8e, //       Session taken over
      0x16, //       property length 22
      0x11, 0x00, 0x00, 0x00, 0x00, // session expiry interval 0
      0x1f, 0x00, 0x03, 'bye', // reason string 'bye'
      0x1c, 0x00, 0x01, 's', // server reference 's'
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
    ), 5);
  });

  it('5.0 accepts a reason code followed by an empty property length', () => {
    expect(decodeAll(bytes(0xe0, 0x02, 0x00, 0x00), 5)).toEqual([{ type: 'disconnect', reasonCode: 0 }]);
  });
});

describe('DISCONNECT strictness and encode errors', () => {
  it('rejects flags, a 3.1.1 body, and a reason code DISCONNECT cannot carry', () => {
    expectDecodeError(bytes(0xe1, 0x00), 5, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.1.3-1' });
    expectDecodeError(bytes(0xe0, 0x01, 0x00), 4, { code: 'DECODE_TRAILING_BYTES', offset: 2 });
    expectDecodeError(bytes(0xe0, 0x01, 0x01), 5, { code: 'DECODE_INVALID_REASON_CODE', offset: 2, specRef: 'MQTT-3.14.2-1', reasonCode: 0x82 });
  });

  it('rejects a property DISCONNECT cannot carry', () => {
    expectDecodeError(bytes(0xe0, 0x05, 0x00, 0x03, 0x21, 0x00, 0x01), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 4 });
  });

  it('names the invalid field when encoding', () => {
    expectEncodeError({ type: 'disconnect', reasonCode: 0x01 }, 5, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCode', specRef: 'MQTT-3.14.2-1' });
    expectEncodeError({ type: 'disconnect', properties: { receiveMaximum: 1 } }, 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.receiveMaximum' });
  });
});
