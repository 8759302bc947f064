import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet } from '../../lib/codec/packet.js';
import { BINARY, BYTE, FOUR_BYTE, K_WILL, PROPERTIES, STRING_PAIR, TWO_BYTE, UTF8_STRING, type PropertyDefinition } from '../../lib/codec/property-table.js';
import { EncodeError } from '../../lib/errors.js';

/** A packet of each kind bit that carries the given properties. */
function packetWith(kindBit: number, properties: Record<string, unknown>): Packet {
  const p = properties as never;
  switch (kindBit) {
    case 1: return { type: 'connect', protocolVersion: 5, clientId: 'c', cleanStart: true, keepAlive: 0, properties: p };
    case 2: return { type: 'connack', sessionPresent: false, reasonCode: 0, properties: p };
    case 3: return { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: false, properties: p };
    case 4: return { type: 'puback', packetId: 1, reasonCode: 0, properties: p };
    case 5: return { type: 'pubrec', packetId: 1, reasonCode: 0, properties: p };
    case 6: return { type: 'pubrel', packetId: 1, reasonCode: 0, properties: p };
    case 7: return { type: 'pubcomp', packetId: 1, reasonCode: 0, properties: p };
    case 8: return { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }], properties: p };
    case 9: return { type: 'suback', packetId: 1, reasonCodes: [0], properties: p };
    case 10: return { type: 'unsubscribe', packetId: 1, topicFilters: ['a'], properties: p };
    case 11: return { type: 'unsuback', packetId: 1, reasonCodes: [0], properties: p };
    case 14: return { type: 'disconnect', reasonCode: 0, properties: p };
    case 15: return { type: 'auth', reasonCode: 0, properties: p };
    default: {
      const will = { topic: 'w', payload: new Uint8Array(0), qos: 0 as const, retain: false, properties: p };
      return { type: 'connect', protocolVersion: 5, clientId: 'c', cleanStart: true, keepAlive: 0, will };
    }
  }
}

function sample(d: PropertyDefinition): unknown {
  const value =
    d.type === BYTE ? (d.boolean ? true : 1)
    : d.type === TWO_BYTE || d.type === FOUR_BYTE ? d.max
    : d.type === UTF8_STRING ? 'v'
    : d.type === BINARY ? new Uint8Array([1, 2])
    : d.type === STRING_PAIR ? ['n', 'v']
    : 300; // variable byte integer
  return d.multiple ? [value] : value;
}

const KIND_BITS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16];

describe('MQTT 5.0 property table', () => {
  it('has unique identifiers per packet kind', () => {
    for (const bit of KIND_BITS) {
      const ids = PROPERTIES.filter((d) => (d.kinds & (1 << bit)) !== 0).map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it.each(PROPERTIES.map((d) => [d.name, d] as const))('%s round-trips where allowed and is refused elsewhere', (_name, d) => {
    for (const bit of KIND_BITS) {
      const packet = packetWith(bit, { [d.name]: sample(d) });
      if ((d.kinds & (1 << bit)) !== 0) {
        const out: Packet[] = [];
        new PacketDecoder({ protocolVersion: 5 }).write(encode(packet, { protocolVersion: 5 }), (p) => out.push(p));
        expect(out).toEqual([packet]);
      } else {
        expect(() => encode(packet, { protocolVersion: 5 })).toThrow(EncodeError);
      }
    }
    // the will's bit is 16 in the table
    expect(K_WILL).toBe(1 << 16);
  });
});
