import { encode } from '../../../lib/codec/encode.js';
import { PacketDecoder } from '../../../lib/codec/decoder.js';
import type { ConnectPacket, Packet } from '../../../lib/codec/packet.js';
import { bytes, decodeAll, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

const connect = (fields: Partial<ConnectPacket>): ConnectPacket => ({
  type: 'connect', protocolVersion: 4, clientId: 'id', cleanStart: true, keepAlive: 60, ...fields,
});

/** A 3.1.1 CONNECT with client id 'id', keep alive 60 and the given connect flags byte. */
const v4WithFlags = (flags: number, ...rest: (number | string)[]): Uint8Array =>
  bytes(0x10, 0x0e + rest.length, 0x00, 0x04, 'MQTT', 0x04, flags, 0x00, 0x3c, 0x00, 0x02, 'id', ...rest);

describe('CONNECT fixtures', () => {
  it('3.1.1 minimal', () => {
    expectFixture(connect({}), bytes(
      0x10, //       type 1, flags 0
      0x0e, //       remaining length 14
      0x00, 0x04, 'MQTT', // protocol name
      0x04, //       protocol level 4 (3.1.1)
      0x02, //       connect flags: clean session
      0x00, 0x3c, // keep alive 60 s
      0x00, 0x02, 'id', // client identifier
    ), 4);
  });

  it('3.1.1 with will, username and password', () => {
    const packet = connect({
      cleanStart: false,
      keepAlive: 10,
      username: 'u',
      password: bytes('pw'),
      will: { topic: 'w/t', payload: bytes('bye'), qos: 1, retain: true },
    });
    expectFixture(packet, bytes(
      0x10, //       CONNECT
      0x1f, //       remaining length 31
      0x00, 0x04, 'MQTT', // protocol name
      0x04, //       protocol level 4
      0xec, //       flags: username 0x80, password 0x40, will retain 0x20, will QoS 1 0x08, will 0x04
      0x00, 0x0a, // keep alive 10 s
      0x00, 0x02, 'id', // client identifier
      0x00, 0x03, 'w/t', // will topic
      0x00, 0x03, 'bye', // will payload
      0x00, 0x01, 'u', // user name
      0x00, 0x02, 'pw', // password
    ), 4);
  });

  it('5.0 minimal', () => {
    expectFixture(connect({ protocolVersion: 5 }), bytes(
      0x10, //       CONNECT
      0x0f, //       remaining length 15
      0x00, 0x04, 'MQTT', // protocol name
      0x05, //       protocol level 5
      0x02, //       flags: clean start
      0x00, 0x3c, // keep alive 60 s
      0x00, //       property length 0
      0x00, 0x02, 'id', // client identifier
    ), 5);
  });

  it('5.0 with every CONNECT and will property', () => {
    const packet = connect({
      protocolVersion: 5,
      username: 'u',
      password: bytes('pw'),
      properties: {
        sessionExpiryInterval: 120,
        receiveMaximum: 20,
        maximumPacketSize: 1024,
        topicAliasMaximum: 10,
        requestResponseInformation: true,
        requestProblemInformation: false,
        userProperties: [['a', 'b']],
        authenticationMethod: 'm',
        authenticationData: bytes(1),
      },
      will: {
        topic: 'w/t',
        payload: bytes('bye'),
        qos: 2,
        retain: false,
        properties: {
          willDelayInterval: 5,
          payloadFormatIndicator: 1,
          messageExpiryInterval: 60,
          contentType: 't',
          responseTopic: 'r',
          correlationData: bytes(9),
          userProperties: [['x', 'y']],
        },
      },
    });
    expectFixture(packet, bytes(
      0x10, //       CONNECT
      0x63, //       remaining length 99
      0x00, 0x04, 'MQTT', // protocol name
      0x05, //       protocol level 5
      0xd6, //       flags: username 0x80, password 0x40, will QoS 2 0x10, will 0x04, clean start 0x02
      0x00, 0x3c, // keep alive 60 s
      0x23, //       property length 35
      0x11, 0x00, 0x00, 0x00, 0x78, // session expiry interval 120
      0x21, 0x00, 0x14, // receive maximum 20
      0x27, 0x00, 0x00, 0x04, 0x00, // maximum packet size 1024
      0x22, 0x00, 0x0a, // topic alias maximum 10
      0x19, 0x01, // request response information: yes
      0x17, 0x00, // request problem information: no
      0x26, 0x00, 0x01, 'a', 0x00, 0x01, 'b', // user property a=b
      0x15, 0x00, 0x01, 'm', // authentication method 'm'
      0x16, 0x00, 0x01, 0x01, // authentication data 01
      0x00, 0x02, 'id', // client identifier
      0x1f, //       will property length 31
      0x18, 0x00, 0x00, 0x00, 0x05, // will delay interval 5
      0x01, 0x01, // payload format indicator: UTF-8
      0x02, 0x00, 0x00, 0x00, 0x3c, // message expiry interval 60
      0x03, 0x00, 0x01, 't', // content type 't'
      0x08, 0x00, 0x01, 'r', // response topic 'r'
      0x09, 0x00, 0x01, 0x09, // correlation data 09
      0x26, 0x00, 0x01, 'x', 0x00, 0x01, 'y', // user property x=y
      0x00, 0x03, 'w/t', // will topic
      0x00, 0x03, 'bye', // will payload
      0x00, 0x01, 'u', // user name
      0x00, 0x02, 'pw', // password
    ), 5);
  });

  it('5.0 allows a password without a username', () => {
    expectFixture(connect({ protocolVersion: 5, clientId: '', password: bytes('p') }), bytes(
      0x10, 0x10, 0x00, 0x04, 'MQTT', 0x05,
      0x42, //       flags: password 0x40, clean start 0x02
      0x00, 0x3c, 0x00,
      0x00, 0x00, // empty client identifier
      0x00, 0x01, 'p', // password
    ), 5);
  });

  it("encodes the packet's own protocol version whatever the options say", () => {
    expect(encode(connect({ protocolVersion: 5 }), { protocolVersion: 4 })[8]).toBe(5);
    expect(encode(connect({ protocolVersion: 4 }), { protocolVersion: 5 })[8]).toBe(4);
  });

  it.each([4, 5] as const)('a server decoder adopts the CONNECT version (%i) for the rest of the stream', (v) => {
    const decoder = new PacketDecoder();
    const seen: Packet[] = [];
    const wire = [...encode(connect({ protocolVersion: v }), { protocolVersion: v }), 0x40, 0x02, 0x00, 0x07];
    decoder.write(new Uint8Array(wire), (p) => seen.push(p));
    expect(decoder.protocolVersion).toBe(v);
    expect(seen[1]).toEqual(v === 5 ? { type: 'puback', packetId: 7, reasonCode: 0 } : { type: 'puback', packetId: 7 });
  });
});

describe('CONNECT decoding strictness', () => {
  it('rejects another protocol name, level, or a version the decoder was not told to expect', () => {
    const mqisdp = bytes(0x10, 0x0e, 0x00, 0x06, 'MQIsdp', 0x03, 0x02, 0x00, 0x3c, 0x00, 0x00);
    expectDecodeError(mqisdp, undefined, { code: 'DECODE_UNSUPPORTED_PROTOCOL_VERSION', offset: 2, specRef: 'MQTT-3.1.2-1', reasonCode: 0x84 });
    const level3 = bytes(0x10, 0x0c, 0x00, 0x04, 'MQTT', 0x03, 0x02, 0x00, 0x3c, 0x00, 0x00);
    expectDecodeError(level3, undefined, { code: 'DECODE_UNSUPPORTED_PROTOCOL_VERSION', offset: 8, specRef: 'MQTT-3.1.2-2', reasonCode: 0x84 });
    const level5 = encode(connect({ protocolVersion: 5 }), { protocolVersion: 5 });
    expectDecodeError(level5, 4, { code: 'DECODE_UNSUPPORTED_PROTOCOL_VERSION', offset: 8, specRef: 'MQTT-3.1.2-2', reasonCode: 0x84 });
  });

  it('rejects the reserved connect flag', () => {
    expectDecodeError(v4WithFlags(0x03), 4, { code: 'DECODE_RESERVED_FLAG', offset: 9, specRef: 'MQTT-3.1.2-3' });
  });

  it.each([
    [0x0a, 'MQTT-3.1.2-13', 'MQTT-3.1.2-11'], // will QoS 1 without will flag
    [0x22, 'MQTT-3.1.2-15', 'MQTT-3.1.2-13'], // will retain without will flag
    [0x1e, 'MQTT-3.1.2-14', 'MQTT-3.1.2-12'], // will flag with will QoS 3
  ])('rejects inconsistent will flags 0x%s', (flags, v4Ref, v5Ref) => {
    expectDecodeError(v4WithFlags(flags), undefined, { code: 'DECODE_INVALID_WILL_FLAGS', offset: 9, specRef: v4Ref });
    const v5 = bytes(0x10, 0x0f, 0x00, 0x04, 'MQTT', 0x05, flags, 0x00, 0x3c, 0x00, 0x00, 0x02, 'id');
    expectDecodeError(v5, 5, { code: 'DECODE_INVALID_WILL_FLAGS', offset: 9, specRef: v5Ref });
  });

  it('rejects a 3.1.1 password without a username', () => {
    expectDecodeError(v4WithFlags(0x42, 0x00, 0x01, 'p'), 4, { code: 'DECODE_PASSWORD_WITHOUT_USERNAME', offset: 9, specRef: 'MQTT-3.1.2-22' });
  });

  it('rejects a first packet that is not CONNECT on a server decoder', () => {
    expectDecodeError(bytes(0xc0, 0x00), undefined, { code: 'DECODE_CONNECT_EXPECTED', offset: 0, specRef: 'MQTT-3.1.0-1', reasonCode: 0x82 });
  });

  it('rejects fixed header flags, a wildcard will topic, a missing field and leftover bytes', () => {
    const ok = encode(connect({}), { protocolVersion: 4 });
    const flagged = new Uint8Array(ok);
    flagged[0] = 0x11;
    expectDecodeError(flagged, 4, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-2.2.2-1' });
    // will flag set: will topic 'a/#' and payload follow the client identifier
    expectDecodeError(v4WithFlags(0x06, 0x00, 0x03, 'a/#', 0x00, 0x00), 4, { code: 'DECODE_INVALID_TOPIC', offset: 16, reasonCode: 0x90 });
    // username flag set but no user name
    expectDecodeError(v4WithFlags(0x82), 4, { code: 'DECODE_TRUNCATED', offset: 16 });
    expectDecodeError(v4WithFlags(0x02, 0x00), 4, { code: 'DECODE_TRAILING_BYTES', offset: 16 });
  });

  it('rejects properties CONNECT or the will cannot carry, and out-of-range values (5.0)', () => {
    // property length 3: topic alias (PUBLISH only)
    const topicAlias = bytes(0x10, 0x12, 0x00, 0x04, 'MQTT', 0x05, 0x02, 0x00, 0x3c, 0x03, 0x23, 0x00, 0x01, 0x00, 0x02, 'id');
    expectDecodeError(topicAlias, 5, { code: 'DECODE_INVALID_PROPERTY', offset: 13 });
    // receive maximum 0
    const receiveMaximum = bytes(0x10, 0x12, 0x00, 0x04, 'MQTT', 0x05, 0x02, 0x00, 0x3c, 0x03, 0x21, 0x00, 0x00, 0x00, 0x02, 'id');
    expectDecodeError(receiveMaximum, 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 13, reasonCode: 0x82 });
    // will properties holding a session expiry interval
    const willProps = bytes(0x10, 0x1a, 0x00, 0x04, 'MQTT', 0x05, 0x06, 0x00, 0x3c, 0x00, 0x00, 0x02, 'id',
      0x05, 0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'w', 0x00, 0x00);
    expectDecodeError(willProps, 5, { code: 'DECODE_INVALID_PROPERTY', offset: 18 });
    // request problem information 2
    const boolean = bytes(0x10, 0x11, 0x00, 0x04, 'MQTT', 0x05, 0x02, 0x00, 0x3c, 0x02, 0x17, 0x02, 0x00, 0x02, 'id');
    expectDecodeError(boolean, 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 13, reasonCode: 0x82 });
  });
});

describe('CONNECT encoding errors', () => {
  it('rejects a 3.1.1 password without a username', () => {
    expectEncodeError(connect({ password: bytes('p') }), 4, { code: 'ENCODE_PASSWORD_WITHOUT_USERNAME', field: 'password', specRef: 'MQTT-3.1.2-22' });
  });

  it('names the invalid field', () => {
    expectEncodeError(connect({ keepAlive: 65536 }), 4, { code: 'ENCODE_INVALID_FIELD', field: 'keepAlive' });
    expectEncodeError(connect({ protocolVersion: 3 as never }), 4, { code: 'ENCODE_INVALID_FIELD', field: 'protocolVersion' });
    expectEncodeError(connect({ clientId: 'a\u0000' }), 4, { code: 'ENCODE_INVALID_STRING', field: 'clientId', specRef: 'MQTT-1.5.4-2' });
    expectEncodeError(connect({ username: '\udc00' }), 4, { code: 'ENCODE_INVALID_STRING', field: 'username', specRef: 'MQTT-1.5.4-1' });
    expectEncodeError(connect({ will: { topic: 'a/#', payload: bytes(), qos: 0, retain: false } }), 4, { code: 'ENCODE_INVALID_TOPIC', field: 'will.topic' });
    expectEncodeError(connect({ will: { topic: 'a', payload: bytes(), qos: 3 as never, retain: false } }), 4, { code: 'ENCODE_INVALID_QOS', field: 'will.qos' });
    expectEncodeError(connect({ will: { topic: 'a', payload: 'x' as never, qos: 0, retain: false } }), 4, { code: 'ENCODE_INVALID_FIELD', field: 'will.payload' });
  });

  it('rejects invalid 5.0 properties of CONNECT and of the will', () => {
    expectEncodeError(connect({ protocolVersion: 5, properties: { receiveMaximum: 0 } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.receiveMaximum' });
    expectEncodeError(connect({ protocolVersion: 5, properties: { requestProblemInformation: 1 as never } }), 5, {
      code: 'ENCODE_INVALID_PROPERTY', field: 'properties.requestProblemInformation',
    });
    expectEncodeError(
      connect({ protocolVersion: 5, will: { topic: 'a', payload: bytes(), qos: 0, retain: false, properties: { sessionExpiryInterval: 1 } as never } }),
      5,
      { code: 'ENCODE_INVALID_PROPERTY', field: 'will.properties.sessionExpiryInterval' },
    );
  });

  it('decodes what it encodes with a server decoder', () => {
    const packet = connect({ protocolVersion: 5, clientId: 'é', keepAlive: 0 });
    expect(decodeAll(encode(packet, { protocolVersion: 5 }), undefined)).toEqual([packet]);
  });
});
