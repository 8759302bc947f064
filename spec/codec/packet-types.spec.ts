import { PACKET_TYPES, PACKET_TYPE_BY_NAME } from '../../lib/codec/packet-types.js';

describe('packet type table', () => {
  it('maps every control packet type code 1 to 15 (0 is reserved)', () => {
    expect(PACKET_TYPES[0]).toBeUndefined();
    expect(PACKET_TYPES.map((e) => e?.type)).toEqual([
      undefined, 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback',
      'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth',
    ]);
    PACKET_TYPES.forEach((e, code) => expect(e?.code ?? 0).toBe(code));
  });

  it('requires the fixed header flags of MQTT table 2-2', () => {
    const flags = Object.fromEntries([...PACKET_TYPE_BY_NAME].map(([type, e]) => [type, e.flags]));
    expect(flags).toEqual({
      connect: 0, connack: 0, publish: -1, puback: 0, pubrec: 0, pubrel: 2, pubcomp: 0, subscribe: 2, suback: 0,
      unsubscribe: 2, unsuback: 0, pingreq: 0, pingresp: 0, disconnect: 0, auth: 0,
    });
    expect([...PACKET_TYPE_BY_NAME.values()].filter((e) => e.v5Only).map((e) => e.type)).toEqual(['auth']);
  });
});
