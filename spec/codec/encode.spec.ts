import fc from 'fast-check';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { EncodeError } from '../../lib/errors.js';
import { bytes, encodeError } from './packets/fixture-helpers.js';

const publish = (payload: Uint8Array): PublishPacket => ({ type: 'publish', topic: 't', payload, qos: 0, retain: false, dup: false });

describe('encode', () => {
  it('rejects invalid options and non-packets, naming the field', () => {
    const ping: Packet = { type: 'pingreq' };
    expect(() => encode(ping, { protocolVersion: 3 as never })).toThrow(expect.objectContaining({ code: 'ENCODE_INVALID_OPTIONS', field: 'protocolVersion' }));
    expect(() => encode(ping, undefined as never)).toThrow(EncodeError);
    expect(() => encode(ping, { protocolVersion: 4, maximumPacketSize: 1 })).toThrow(
      expect.objectContaining({ code: 'ENCODE_INVALID_OPTIONS', field: 'maximumPacketSize' }),
    );
    expect(encodeError(null, 4).code).toBe('ENCODE_INVALID_PACKET');
    expect(encodeError({ type: 'hello' }, 4)).toMatchObject({ code: 'ENCODE_INVALID_PACKET', field: 'type' });
  });

  it('returns exactly the packet bytes, in a region no other packet shares', () => {
    const a = encode(publish(bytes('one')), { protocolVersion: 4 });
    const b = encode(publish(bytes('two')), { protocolVersion: 4 });
    expect(a).toHaveLength(8);
    a.fill(0);
    expect(b).toEqual(bytes(0x30, 0x06, 0x00, 0x01, 't', 'two'));
  });

  it('encodes packets larger than the small-packet pool into their own buffer', () => {
    const payload = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    const wire = encode(publish(payload), { protocolVersion: 5 });
    expect(wire.byteOffset).toBe(0);
    expect(wire.buffer.byteLength).toBe(wire.length);
    const out: Packet[] = [];
    new PacketDecoder({ protocolVersion: 5 }).write(wire, (p) => out.push(p));
    expect(out).toEqual([publish(payload)]);
  });

  it('applies maximumPacketSize to every packet type', () => {
    const subscribe: Packet = { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a/b/c/d', qos: 0 }] };
    // 2 + 2 + 7 + 1 = 12 bytes of remaining length: 14 in all
    expect(encode(subscribe, { protocolVersion: 4, maximumPacketSize: 14 })).toHaveLength(14);
    expect(encodeError.bind(null, subscribe, 4, 13)()).toMatchObject({ code: 'ENCODE_PACKET_TOO_LARGE', field: 'subscriptions' });
    const connack: Packet = { type: 'connack', sessionPresent: false, reasonCode: 0, properties: { reasonString: 'x'.repeat(100) } };
    expect(encodeError(connack, 5, 50)).toMatchObject({ code: 'ENCODE_PACKET_TOO_LARGE' });
  });

  it('throws only EncodeError for packet objects with fields of any shape', () => {
    const types = ['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth'];
    const fields = ['protocolVersion', 'clientId', 'cleanStart', 'keepAlive', 'username', 'password', 'will', 'properties', 'sessionPresent',
      'reasonCode', 'topic', 'payload', 'qos', 'retain', 'dup', 'packetId', 'subscriptions', 'reasonCodes', 'topicFilters'];
    const value = fc.oneof(
      fc.anything(),
      fc.array(fc.constant(null)),
      fc.record({ topicFilter: fc.anything(), qos: fc.anything() }),
      fc.record({ topic: fc.anything(), payload: fc.anything(), qos: fc.anything() }),
      fc.dictionary(fc.constantFrom('topicAlias', 'userProperties', 'reasonString', 'subscriptionIdentifiers', 'x'), fc.anything()),
    );
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.dictionary(fc.constantFrom(...fields), value), fc.constantFrom(4 as const, 5 as const), (type, rest, v) => {
        try {
          encode({ ...rest, type } as never, { protocolVersion: v });
        } catch (e) {
          expect(e).toBeInstanceOf(EncodeError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
