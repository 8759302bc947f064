import { bytes, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

describe('CONNACK fixtures', () => {
  it('3.1.1 accepted', () => {
    expectFixture({ type: 'connack', sessionPresent: false, reasonCode: 0 }, bytes(
      0x20, // type 2
      0x02, // remaining length 2
      0x00, // acknowledge flags: no session present
      0x00, // return code 0: Connection Accepted
    ), 4);
  });

  it('3.1.1 session present, and refused (not authorized)', () => {
    expectFixture({ type: 'connack', sessionPresent: true, reasonCode: 0 }, bytes(0x20, 0x02, 0x01, 0x00), 4);
    expectFixture({ type: 'connack', sessionPresent: false, reasonCode: 5 }, bytes(0x20, 0x02, 0x00, 0x05), 4);
  });

  it('5.0 minimal, and refused with 0x87 Not authorized', () => {
    expectFixture({ type: 'connack', sessionPresent: false, reasonCode: 0 }, bytes(
      0x20, // CONNACK
      0x03, // remaining length 3
      0x00, // acknowledge flags
      0x00, // reason code: Success
      0x00, // property length 0
    ), 5);
    expectFixture({ type: 'connack', sessionPresent: false, reasonCode: 0x87 }, bytes(0x20, 0x03, 0x00, 0x87, 0x00), 5);
  });

  it('5.0 with every CONNACK property', () => {
    const packet = {
      type: 'connack' as const,
      sessionPresent: true,
      reasonCode: 0,
      properties: {
        sessionExpiryInterval: 60,
        receiveMaximum: 100,
        maximumQoS: 1 as const,
        retainAvailable: false,
        maximumPacketSize: 65536,
        assignedClientIdentifier: 'c',
        topicAliasMaximum: 8,
        reasonString: 'ok',
        userProperties: [['a', 'b'] as const],
        wildcardSubscriptionAvailable: true,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: true,
        serverKeepAlive: 30,
        responseInformation: 'ri',
        serverReference: 's',
        authenticationMethod: 'm',
        authenticationData: bytes(7),
      },
    };
    expectFixture(packet, bytes(
      0x20, //       CONNACK
      0x41, //       remaining length 65
      0x01, //       acknowledge flags: session present
      0x00, //       reason code: Success
      0x3e, //       property length 62
      0x11, 0x00, 0x00, 0x00, 0x3c, // session expiry interval 60
      0x21, 0x00, 0x64, // receive maximum 100
      0x24, 0x01, // maximum QoS 1
      0x25, 0x00, // retain available: no
      0x27, 0x00, 0x01, 0x00, 0x00, // maximum packet size 65536
      0x12, 0x00, 0x01, 'c', // assigned client identifier 'c'
      0x22, 0x00, 0x08, // topic alias maximum 8
      0x1f, 0x00, 0x02, 'ok', // reason string 'ok'
      0x26, 0x00, 0x01, 'a', 0x00, 0x01, 'b', // user property a=b
      0x28, 0x01, // wildcard subscription available: yes
      0x29, 0x00, // subscription identifiers available: no
      0x2a, 0x01, // shared subscription available: yes
      0x13, 0x00, 0x1e, // server keep alive 30
      0x1a, 0x00, 0x02, 'ri', // response information 'ri'
      0x1c, 0x00, 0x01, 's', // server reference 's'
      0x15, 0x00, 0x01, 'm', // authentication method 'm'
      0x16, 0x00, 0x01, 0x07, // authentication data 07
    ), 5);
  });
});

describe('CONNACK decoding strictness', () => {
  it('rejects reserved acknowledge flag bits', () => {
    expectDecodeError(bytes(0x20, 0x02, 0x02, 0x00), 4, { code: 'DECODE_RESERVED_FLAG', offset: 2 });
    expectDecodeError(bytes(0x20, 0x03, 0x80, 0x00, 0x00), 5, { code: 'DECODE_RESERVED_FLAG', offset: 2 });
  });

  it('rejects a reserved 3.1.1 return code and a 5.0 reason code CONNACK cannot carry', () => {
    expectDecodeError(bytes(0x20, 0x02, 0x00, 0x06), 4, { code: 'DECODE_INVALID_REASON_CODE', offset: 3 });
    expectDecodeError(bytes(0x20, 0x03, 0x00, 0x10, 0x00), 5, { code: 'DECODE_INVALID_REASON_CODE', offset: 3, reasonCode: 0x82 });
  });

  it('rejects session present on a refused connection', () => {
    expectDecodeError(bytes(0x20, 0x02, 0x01, 0x05), 4, { code: 'DECODE_INVALID_SESSION_PRESENT', offset: 2, specRef: 'MQTT-3.2.2-4', reasonCode: 0x82 });
    expectDecodeError(bytes(0x20, 0x03, 0x01, 0x80, 0x00), 5, { code: 'DECODE_INVALID_SESSION_PRESENT', offset: 2, specRef: 'MQTT-3.2.2-6', reasonCode: 0x82 });
  });

  it('rejects a missing property length (5.0), wrong flags and leftover bytes', () => {
    expectDecodeError(bytes(0x20, 0x02, 0x00, 0x00), 5, { code: 'DECODE_TRUNCATED', offset: 4 });
    expectDecodeError(bytes(0x21, 0x02, 0x00, 0x00), 4, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.2.2-1' });
    expectDecodeError(bytes(0x20, 0x03, 0x00, 0x00, 0x00), 4, { code: 'DECODE_TRAILING_BYTES', offset: 4 });
  });

  it('rejects misplaced, duplicate and out-of-range properties (5.0)', () => {
    expectDecodeError(bytes(0x20, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 5 });
    expectDecodeError(bytes(0x20, 0x09, 0x00, 0x00, 0x06, 0x21, 0x00, 0x01, 0x21, 0x00, 0x02), 5, { code: 'DECODE_DUPLICATE_PROPERTY', offset: 8, reasonCode: 0x82 });
    expectDecodeError(bytes(0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02), 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 5, reasonCode: 0x82 });
    expectDecodeError(bytes(0x20, 0x08, 0x00, 0x00, 0x05, 0x27, 0x00, 0x00, 0x00, 0x00), 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 5, reasonCode: 0x82 });
  });
});

describe('CONNACK encoding errors', () => {
  it('names the invalid field', () => {
    expectEncodeError({ type: 'connack', sessionPresent: false, reasonCode: 6 }, 4, { code: 'ENCODE_INVALID_FIELD', field: 'reasonCode' });
    expectEncodeError({ type: 'connack', sessionPresent: false, reasonCode: 0x10 }, 5, { code: 'ENCODE_INVALID_REASON_CODE', field: 'reasonCode' });
    expectEncodeError({ type: 'connack', sessionPresent: true, reasonCode: 0x80 }, 5, { code: 'ENCODE_INVALID_FIELD', field: 'sessionPresent', specRef: 'MQTT-3.2.2-6' });
    expectEncodeError({ type: 'connack', sessionPresent: true, reasonCode: 4 }, 4, { code: 'ENCODE_INVALID_FIELD', field: 'sessionPresent', specRef: 'MQTT-3.2.2-4' });
    expectEncodeError({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { maximumQoS: 2 } }, 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.maximumQoS' });
    expectEncodeError({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { retainAvailable: 1 } }, 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.retainAvailable' });
    expectEncodeError({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { willDelayInterval: 1 } }, 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.willDelayInterval' });
  });
});
