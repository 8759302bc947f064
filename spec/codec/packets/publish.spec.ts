import { encode } from '../../../lib/codec/encode.js';
import type { PublishPacket } from '../../../lib/codec/packet.js';
import { bytes, decodeAll, decodeError, expectDecodeError, expectEncodeError, expectFixture } from './fixture-helpers.js';

const hi = bytes('hi');
const publish = (fields: Partial<PublishPacket>): PublishPacket => ({
  type: 'publish', topic: 'a/b', payload: hi, qos: 0, retain: false, dup: false, ...fields,
});

describe('PUBLISH fixtures', () => {
  it('3.1.1 QoS 0, retained', () => {
    expectFixture(publish({ retain: true }), bytes(
      0x31, //       type 3, DUP 0, QoS 0, RETAIN 1
      0x07, //       remaining length 7
      0x00, 0x03, 'a/b', // topic name
      'hi', //       payload (no packet identifier at QoS 0)
    ), 4);
  });

  it('3.1.1 QoS 1 with DUP', () => {
    expectFixture(publish({ qos: 1, dup: true, packetId: 10 }), bytes(
      0x3a, //       type 3, DUP 1, QoS 1, RETAIN 0
      0x09, //       remaining length 9
      0x00, 0x03, 'a/b', // topic name
      0x00, 0x0a, // packet identifier 10
      'hi', //       payload
    ), 4);
  });

  it('3.1.1 QoS 2, UTF-8 topic, empty payload', () => {
    expectFixture(publish({ topic: 't/ü', qos: 2, packetId: 0xffff, payload: new Uint8Array(0) }), bytes(
      0x34, //       type 3, QoS 2
      0x08, //       remaining length 8
      0x00, 0x04, 't/', 0xc3, 0xbc, // topic name 't/ü' (ü is C3 BC in UTF-8)
      0xff, 0xff, // packet identifier 65535
    ), 4);
  });

  it('3.1.1 with a two-byte remaining length', () => {
    const payload = new Uint8Array(200).fill(7);
    const wire = new Uint8Array([
      0x30, //       type 3, QoS 0
      0xcb, 0x01, // remaining length 203 = 0x4B + 1 * 128
      0x00, 0x01, 0x61, // topic name 'a'
      ...payload,
    ]);
    expectFixture(publish({ topic: 'a', payload }), wire, 4);
  });

  it('5.0 QoS 1 without properties', () => {
    expectFixture(publish({ qos: 1, packetId: 10 }), bytes(
      0x32, //       type 3, QoS 1
      0x0a, //       remaining length 10
      0x00, 0x03, 'a/b', // topic name
      0x00, 0x0a, // packet identifier 10
      0x00, //       property length 0
      'hi', //       payload
    ), 5);
  });

  it('5.0 with every PUBLISH property', () => {
    const packet = publish({
      qos: 1,
      packetId: 1,
      properties: {
        payloadFormatIndicator: 1,
        messageExpiryInterval: 3600,
        topicAlias: 5,
        responseTopic: 'r',
        correlationData: bytes(1, 2),
        userProperties: [['k', 'v'], ['k', 'w']],
        subscriptionIdentifiers: [1, 200],
        contentType: 't',
      },
    });
    expectFixture(packet, bytes(
      0x32, //       type 3, QoS 1
      0x34, //       remaining length 52
      0x00, 0x03, 'a/b', // topic name
      0x00, 0x01, // packet identifier 1
      0x2a, //       property length 42
      0x01, 0x01, // payload format indicator: UTF-8
      0x02, 0x00, 0x00, 0x0e, 0x10, // message expiry interval 3600
      0x23, 0x00, 0x05, // topic alias 5
      0x08, 0x00, 0x01, 'r', // response topic 'r'
      0x09, 0x00, 0x02, 0x01, 0x02, // correlation data 01 02
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'w', // user property k=w (names may repeat, order kept)
      0x0b, 0x01, // subscription identifier 1
      0x0b, 0xc8, 0x01, // subscription identifier 200 (variable byte integer)
      0x03, 0x00, 0x01, 't', // content type 't'
      'hi', //       payload
    ), 5);
  });

  it('5.0 empty topic name with a topic alias', () => {
    expectFixture(publish({ topic: '', payload: bytes('x'), properties: { topicAlias: 5 } }), bytes(
      0x30, //       type 3, QoS 0
      0x07, //       remaining length 7
      0x00, 0x00, // empty topic name
      0x03, 0x23, 0x00, 0x05, // properties: topic alias 5
      'x', //        payload
    ), 5);
  });

  it('decodes payloads as views into the received bytes, not copies', () => {
    const wire = encode(publish({ payload: bytes('payload') }), { protocolVersion: 4 });
    const input = new Uint8Array(wire);
    const [p] = decodeAll(input, 4) as PublishPacket[];
    expect(p.payload.buffer).toBe(input.buffer);
    expect(p.payload.byteOffset).toBe(input.length - 7);
  });

  it('3.1.1 accepts a non-minimal remaining length (only 5.0 requires the minimal form)', () => {
    // 0x83 0x00 = 3 in two bytes
    expect(decodeAll(bytes(0x30, 0x83, 0x00, 0x00, 0x01, 'a'), 4)).toEqual([publish({ topic: 'a', payload: new Uint8Array(0) })]);
  });

  it('ignores MQTT 5.0 properties and a QoS 0 packetId when encoding 3.1.1', () => {
    expect(encode(publish({ packetId: 3, properties: { contentType: 'x' } }), { protocolVersion: 4 })).toEqual(
      bytes(0x30, 0x07, 0x00, 0x03, 'a/b', 'hi'),
    );
  });
});

describe('PUBLISH decoding strictness', () => {
  it('rejects QoS 3', () => {
    expectDecodeError(bytes(0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01), 4, { code: 'DECODE_INVALID_QOS', offset: 0, specRef: 'MQTT-3.3.1-4' });
  });

  it('rejects DUP on QoS 0', () => {
    expectDecodeError(bytes(0x38, 0x03, 0x00, 0x01, 'a'), 5, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: 'MQTT-3.3.1-2' });
  });

  it('rejects packet identifier 0', () => {
    expectDecodeError(bytes(0x32, 0x05, 0x00, 0x01, 'a', 0x00, 0x00), 4, {
      code: 'DECODE_INVALID_PACKET_ID', offset: 5, specRef: 'MQTT-2.3.1-1', reasonCode: 0x82,
    });
    expectDecodeError(bytes(0x32, 0x06, 0x00, 0x01, 'a', 0x00, 0x00, 0x00), 5, {
      code: 'DECODE_INVALID_PACKET_ID', offset: 5, specRef: 'MQTT-2.2.1-3', reasonCode: 0x82,
    });
  });

  it.each(['a/+', 'a/#', '+'])('rejects the wildcard topic %s', (topic) => {
    expectDecodeError(bytes(0x30, 2 + topic.length, 0x00, topic.length, topic), 4, {
      code: 'DECODE_INVALID_TOPIC', offset: 2, specRef: 'MQTT-3.3.2-2', reasonCode: 0x90,
    });
  });

  it('rejects an empty topic (3.1.1), and an empty topic without topic alias (5.0)', () => {
    expectDecodeError(bytes(0x30, 0x02, 0x00, 0x00), 4, { code: 'DECODE_INVALID_TOPIC', offset: 2, specRef: 'MQTT-4.7.3-1', reasonCode: 0x82 });
    expectDecodeError(bytes(0x30, 0x03, 0x00, 0x00, 0x00), 5, { code: 'DECODE_INVALID_TOPIC', offset: 2, reasonCode: 0x82 });
  });

  it('rejects U+0000, ill-formed UTF-8, encoded surrogates and overlong forms in the topic', () => {
    expectDecodeError(bytes(0x30, 0x05, 0x00, 0x03, 'a', 0x00, 'b'), 5, { code: 'DECODE_INVALID_UTF8', offset: 4, specRef: 'MQTT-1.5.4-2' });
    expectDecodeError(bytes(0x30, 0x05, 0x00, 0x03, 'a', 0x00, 'b'), 4, { code: 'DECODE_INVALID_UTF8', offset: 4, specRef: 'MQTT-1.5.3-2' });
    expectDecodeError(bytes(0x30, 0x04, 0x00, 0x02, 0xc3, 0x28), 5, { code: 'DECODE_INVALID_UTF8', offset: 4, specRef: 'MQTT-1.5.4-1' });
    expectDecodeError(bytes(0x30, 0x05, 0x00, 0x03, 0xed, 0xa0, 0x80), 5, { code: 'DECODE_INVALID_UTF8', offset: 4, specRef: 'MQTT-1.5.4-1' });
    expectDecodeError(bytes(0x30, 0x04, 0x00, 0x02, 0xc0, 0xaf), 4, { code: 'DECODE_INVALID_UTF8', offset: 4, specRef: 'MQTT-1.5.3-1' });
  });

  it('rejects a topic running past the packet end', () => {
    expectDecodeError(bytes(0x30, 0x03, 0x00, 0x05, 'a'), 4, { code: 'DECODE_TRUNCATED', offset: 4 });
    expectDecodeError(bytes(0x30, 0x01, 0x00), 4, { code: 'DECODE_TRUNCATED', offset: 2 });
  });

  it('rejects a property PUBLISH cannot carry, an unknown property, and a duplicate', () => {
    // session expiry interval (0x11) belongs to CONNECT, CONNACK and DISCONNECT
    expectDecodeError(bytes(0x30, 0x09, 0x00, 0x01, 'a', 0x05, 0x11, 0x00, 0x00, 0x00, 0x01), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 6 });
    expectDecodeError(bytes(0x30, 0x05, 0x00, 0x01, 'a', 0x01, 0x7f), 5, { code: 'DECODE_INVALID_PROPERTY', offset: 6 });
    expectDecodeError(bytes(0x30, 0x0a, 0x00, 0x01, 'a', 0x06, 0x23, 0x00, 0x01, 0x23, 0x00, 0x02), 5, {
      code: 'DECODE_DUPLICATE_PROPERTY', offset: 9, reasonCode: 0x82,
    });
  });

  it('rejects property values out of range', () => {
    expectDecodeError(bytes(0x30, 0x07, 0x00, 0x01, 'a', 0x03, 0x23, 0x00, 0x00), 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 6, reasonCode: 0x82 });
    expectDecodeError(bytes(0x30, 0x06, 0x00, 0x01, 'a', 0x02, 0x01, 0x02), 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 6, reasonCode: 0x82 });
    expectDecodeError(bytes(0x30, 0x06, 0x00, 0x01, 'a', 0x02, 0x0b, 0x00), 5, { code: 'DECODE_INVALID_PROPERTY_VALUE', offset: 6, reasonCode: 0x82 });
  });

  it('rejects a property block longer than the packet, and a value longer than its block', () => {
    expectDecodeError(bytes(0x30, 0x05, 0x00, 0x01, 'a', 0x09, 0x01), 5, { code: 'DECODE_TRUNCATED', offset: 6 });
    expectDecodeError(bytes(0x30, 0x09, 0x00, 0x01, 'a', 0x02, 0x02, 0x00, 0x00, 0x00, 0x00), 5, { code: 'DECODE_TRUNCATED', offset: 7 });
  });

  it('rejects non-minimal variable byte integers in 5.0', () => {
    expectDecodeError(bytes(0x30, 0x83, 0x00, 0x00, 0x01, 'a'), 5, { code: 'DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', offset: 1, specRef: 'MQTT-1.5.5-1' });
    expectDecodeError(bytes(0x30, 0x05, 0x00, 0x01, 'a', 0x80, 0x00), 5, { code: 'DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', offset: 5, specRef: 'MQTT-1.5.5-1' });
  });

  it('rejects a remaining length of more than 4 bytes', () => {
    expectDecodeError(bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x7f), 4, { code: 'DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', offset: 1 });
  });
});

describe('PUBLISH encoding errors', () => {
  it.each([
    ['a/+', 'MQTT-3.3.2-2'],
    ['#', 'MQTT-3.3.2-2'],
    ['a\u0000b', 'MQTT-1.5.4-2'],
    ['a\ud800', 'MQTT-1.5.4-1'],
  ])('rejects the topic %j', (topic, specRef) => {
    expectEncodeError(publish({ topic }), 5, { code: 'ENCODE_INVALID_TOPIC', field: 'topic', specRef });
  });

  it('rejects an empty topic (3.1.1, and 5.0 without topic alias) and a topic over 65 535 bytes', () => {
    expectEncodeError(publish({ topic: '' }), 4, { code: 'ENCODE_INVALID_TOPIC', field: 'topic', specRef: 'MQTT-4.7.3-1' });
    expectEncodeError(publish({ topic: '', properties: { topicAlias: 1 } }), 4, { code: 'ENCODE_INVALID_TOPIC', field: 'topic' });
    expectEncodeError(publish({ topic: '' }), 5, { code: 'ENCODE_INVALID_TOPIC', field: 'topic' });
    expectEncodeError(publish({ topic: 'a'.repeat(65536) }), 4, { code: 'ENCODE_INVALID_TOPIC', field: 'topic' });
  });

  it.each([undefined, 0, 65536, 1.5])('rejects packet identifier %p at QoS 1', (packetId) => {
    expectEncodeError(publish({ qos: 1, packetId }), 4, { code: 'ENCODE_INVALID_PACKET_ID', field: 'packetId' });
  });

  it('rejects QoS 3, DUP on QoS 0 and a payload that is not a Uint8Array', () => {
    expectEncodeError(publish({ qos: 3 as never }), 4, { code: 'ENCODE_INVALID_QOS', field: 'qos', specRef: 'MQTT-3.3.1-4' });
    expectEncodeError(publish({ dup: true }), 4, { code: 'ENCODE_INVALID_FIELD', field: 'dup', specRef: 'MQTT-3.3.1-2' });
    expectEncodeError(publish({ payload: 'hi' as never }), 4, { code: 'ENCODE_INVALID_FIELD', field: 'payload' });
  });

  it('rejects invalid properties, naming the property', () => {
    expectEncodeError(publish({ properties: { topicAlias: 0 } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.topicAlias' });
    expectEncodeError(publish({ properties: { payloadFormatIndicator: 2 as never } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.payloadFormatIndicator' });
    expectEncodeError(publish({ properties: { subscriptionIdentifiers: [0] } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.subscriptionIdentifiers[0]' });
    expectEncodeError(publish({ properties: { sessionExpiryInterval: 1 } as never }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.sessionExpiryInterval' });
    expectEncodeError(publish({ properties: { userProperties: [['k']] as never } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.userProperties[0]' });
    expectEncodeError(publish({ properties: { contentType: 'a\u0000' } }), 5, { code: 'ENCODE_INVALID_STRING', field: 'properties.contentType' });
    expectEncodeError(publish({ properties: { messageExpiryInterval: 2 ** 32 } }), 5, { code: 'ENCODE_INVALID_PROPERTY', field: 'properties.messageExpiryInterval' });
  });

  it('rejects a packet larger than maximumPacketSize, and one whose remaining length exceeds 268 435 455', () => {
    // 2 + 3 + 2 = 7 bytes of remaining length: the whole packet is 9 bytes
    expect(encode(publish({}), { protocolVersion: 4, maximumPacketSize: 9 })).toHaveLength(9);
    expect(() => encode(publish({}), { protocolVersion: 4, maximumPacketSize: 8 })).toThrow(
      expect.objectContaining({ code: 'ENCODE_PACKET_TOO_LARGE', field: 'payload' }),
    );
    // A stand-in payload announcing 268 435 453 bytes (remaining length 2 + 1 + 268 435 453 = 268 435 456): checked before anything is allocated.
    const huge = new Uint8Array(1);
    Object.defineProperty(huge, 'length', { value: 268_435_453 });
    expectEncodeError(publish({ topic: 'a', payload: huge }), 4, { code: 'ENCODE_PACKET_TOO_LARGE', field: 'payload' });
  });
});

describe('PUBLISH topic names decoded again', () => {
  const wire = (topic: string, packetId = 0) => encode(publish({ topic, qos: packetId > 0 ? 1 : 0, packetId: packetId || undefined }), { protocolVersion: 4 });
  const topicsOf = (...packets: Uint8Array[]) =>
    decodeAll(new Uint8Array(packets.flatMap((p) => Array.from(p))), 4).map((p) => (p as PublishPacket).topic);

  it('decodes the same topic to the same string, also after other topics', () => {
    expect(topicsOf(wire('a/b'), wire('a/b', 1), wire('c/d'), wire('a/b'))).toEqual(['a/b', 'a/b', 'c/d', 'a/b']);
  });

  it('tells apart topics of the same length and end bytes', () => {
    // Same length, first and last byte: same cache slot, different middle.
    const topics = ['s/kitchen/t', 's/hallway/t', 's/kitchen/t', 's/bedroom/t', 's/hallway/t'];
    expect(topicsOf(...topics.map((t) => wire(t)))).toEqual(topics);
  });

  it('keeps non-ASCII and long topics right', () => {
    const long = `x/${'y'.repeat(70)}`;
    const topics = ['é/ü', 'é/ü', 'ab€', 'abcd', 'ab€', long, long, `${long.slice(0, 64)}`, `${long.slice(0, 64)}`];
    expect(topicsOf(...topics.map((t) => wire(t)))).toEqual(topics);
  });

  it('still refuses a wildcard topic that shares length and ends with a decoded one', () => {
    topicsOf(wire('a/b/c'));
    expectDecodeError(bytes(0x30, 0x07, 0x00, 0x05, 'a/+/c'), 4, { code: 'DECODE_INVALID_TOPIC', offset: 2, specRef: 'MQTT-3.3.2-2', reasonCode: 0x90 });
  });

  it('still refuses a topic cut short by the end of the packet', () => {
    topicsOf(wire('a/b'));
    // Remaining length 4 holds the length prefix (3) and only two of the topic's bytes.
    expect(decodeError(bytes(0x30, 0x04, 0x00, 0x03, 'a/'), 4).code).toBe('DECODE_TRUNCATED');
  });
});
