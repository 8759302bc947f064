import { encode } from '../../../lib/codec/encode.js';
import type { PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from '../../../lib/codec/packet.js';
import { bytes, decodeAll, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

type Ack = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;
const ACKS: readonly [Ack['type'], number][] = [['puback', 0x40], ['pubrec', 0x50], ['pubrel', 0x62], ['pubcomp', 0x70]];

describe.each(ACKS)('%s fixtures', (type, first) => {
  it('3.1.1: packet identifier only', () => {
    expectFixture({ type, packetId: 10 } as Ack, bytes(
      first, //      packet type and its fixed flags (PUBREL 0b0010)
      0x02, //       remaining length 2
      0x00, 0x0a, // packet identifier 10
    ), 4);
  });

  it('5.0 short form: reason code 0 and no properties leave both out', () => {
    expectFixture({ type, packetId: 10, reasonCode: 0 } as Ack, bytes(first, 0x02, 0x00, 0x0a), 5);
    // an omitted reasonCode encodes the same way
    expect(encode({ type, packetId: 10 } as Ack, { protocolVersion: 5 })).toEqual(bytes(first, 0x02, 0x00, 0x0a));
  });

  it('5.0 accepts a reason code and an empty property length on input', () => {
    // 00 0A packet id, 00 reason code, 00 property length: not the shortest form, still valid
    expect(decodeAll(bytes(first, 0x04, 0x00, 0x0a, 0x00, 0x00), 5)).toEqual([{ type, packetId: 10, reasonCode: 0 }]);
  });

  it('3.1.1 leaves out the 5.0 reason code and properties when encoding', () => {
    expect(encode({ type, packetId: 10, reasonCode: 0 } as Ack, { protocolVersion: 4 })).toEqual(bytes(first, 0x02, 0x00, 0x0a));
  });

  it('rejects packet identifier 0 both ways', () => {
    expectDecodeError(bytes(first, 0x02, 0x00, 0x00), 4, { code: 'DECODE_INVALID_PACKET_ID', offset: 2, specRef: 'MQTT-2.3.1-1', reasonCode: 0x82 });
    expectEncodeError({ type, packetId: 0 }, 5, { code: 'ENCODE_INVALID_PACKET_ID', field: 'packetId' });
  });

  it('rejects wrong fixed header flags', () => {
    const wrong = first ^ 0x02;
    expectDecodeError(bytes(wrong, 0x02, 0x00, 0x0a), 4, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.2.2-1' });
    expectDecodeError(bytes(wrong, 0x02, 0x00, 0x0a), 5, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.1.3-1' });
  });

  it('rejects a truncated packet identifier and leftover bytes', () => {
    expectDecodeError(bytes(first, 0x01, 0x00), 4, { code: 'DECODE_TRUNCATED', offset: 2 });
    expectDecodeError(bytes(first, 0x03, 0x00, 0x0a, 0x00), 4, { code: 'DECODE_TRAILING_BYTES', offset: 4 });
  });

  it('rejects a property acknowledgements cannot carry (5.0)', () => {
    // 00 0A packet id, 00 reason code, 03 property length, 23 00 01 topic alias
    expectDecodeError(bytes(first, 0x07, 0x00, 0x0a, 0x00, 0x03, 0x23, 0x00, 0x01), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 6 });
  });
});

describe('acknowledgement fixtures with reason codes and properties (5.0)', () => {
  it('PUBACK 0x10 No matching subscribers, without properties', () => {
    expectFixture({ type: 'puback', packetId: 10, reasonCode: 0x10 }, bytes(
      0x40, //       PUBACK
      0x03, //       remaining length 3
      0x00, 0x0a, // packet identifier 10
      0x10, //       reason code: No matching subscribers (property length left out)
    ), 5);
  });

  it('PUBREC 0x80 with a reason string and a user property', () => {
    expectFixture({ type: 'pubrec', packetId: 10, reasonCode: 0x80, properties: { reasonString: 'no', userProperties: [['k', 'v']] } }, bytes(
      0x50, //       PUBREC
      0x10, //       remaining length 16
      0x00, 0x0a, // packet identifier 10
      0x80, //       reason code: Unspecified error
      0x0c, //       property length 12
      0x1f, 0x00, 0x02, 'no', // reason string 'no'
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
    ), 5);
  });

  it('PUBREL 0x92 Packet Identifier not found', () => {
    expectFixture({ type: 'pubrel', packetId: 10, reasonCode: 0x92 }, bytes(0x62, 0x03, 0x00, 0x0a, 0x92), 5);
  });

  it('PUBCOMP with success and a property keeps the reason code byte', () => {
    expectFixture({ type: 'pubcomp', packetId: 10, reasonCode: 0, properties: { reasonString: 'ok' } }, bytes(
      0x70, //       PUBCOMP
      0x09, //       remaining length 9
      0x00, 0x0a, // packet identifier 10
      0x00, //       reason code: Success
      0x05, //       property length 5
      0x1f, 0x00, 0x02, 'ok', // reason string 'ok'
    ), 5);
  });

  it.each([
    [0x40, 0x92, 'MQTT-3.4.2-1'],
    [0x50, 0x92, 'MQTT-3.5.2-1'],
    [0x62, 0x10, 'MQTT-3.6.2-1'],
    [0x70, 0x80, 'MQTT-3.7.2-1'],
  ])('rejects a reason code the packet cannot carry (first byte %i, reason code %i)', (first, code, specRef) => {
    expectDecodeError(bytes(first, 0x03, 0x00, 0x0a, code), 5, { code: 'DECODE_INVALID_REASON_CODE', offset: 4, specRef, reasonCode: 0x82 });
  });

  it('refuses to encode a reason code the packet cannot carry', () => {
    expectEncodeError({ type: 'puback', packetId: 1, reasonCode: 0x92 }, 5, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCode', specRef: 'MQTT-3.4.2-1' });
    expectEncodeError({ type: 'pubrel', packetId: 1, reasonCode: 0x10 }, 5, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCode', specRef: 'MQTT-3.6.2-1' });
  });

  it('refuses to encode a property acknowledgements cannot carry', () => {
    expectEncodeError({ type: 'puback', packetId: 1, properties: { topicAlias: 1 } }, 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.topicAlias' });
  });
});
