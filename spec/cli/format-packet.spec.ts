import { formatPacket } from '../../lib/cli/format-packet';

describe('formatPacket', () => {
  it.each([
    [{ type: 'suback', packetId: 1, reasonCodes: [1] }, 'SUBACK (packet 1): granted QoS 1'],
    [{ type: 'suback', packetId: 2, reasonCodes: [0, 0x80] }, 'SUBACK (packet 2): granted QoS 0, refused (Unspecified error, 0x80)'],
    [{ type: 'subscribe', packetId: 3, subscriptions: [{ topicFilter: 'a/#', qos: 2 }] }, "SUBSCRIBE (packet 3): 'a/#' QoS 2"],
    [{ type: 'connack', sessionPresent: true, reasonCode: 0 }, 'CONNACK: accepted, session present'],
    [{ type: 'connack', sessionPresent: false, reasonCode: 5 }, 'CONNACK: refused, code 0x05'],
    [{ type: 'puback', packetId: 7 }, 'PUBACK (packet 7)'],
    [{ type: 'pubrec', packetId: 8, reasonCode: 0x10 }, 'PUBREC (packet 8): No matching subscribers'],
    [{ type: 'publish', topic: 't', payload: new Uint8Array(3), qos: 0, retain: true, dup: false }, "PUBLISH to 't', QoS 0, 3 bytes, retained"],
    [{ type: 'disconnect' }, 'DISCONNECT'],
    [{ type: 'pingreq' }, 'PINGREQ'],
  ] as const)('describes %j', (packet, text) => {
    expect(formatPacket(packet as never)).toBe(text);
  });

  it('never shows the password of a CONNECT', () => {
    const line = formatPacket({ type: 'connect', protocolVersion: 5, clientId: 'c', cleanStart: true, keepAlive: 30, username: 'u', password: new TextEncoder().encode('secret') });
    expect(line).toBe("CONNECT (client id 'c', MQTT 5, keep alive 30 s, clean)");
  });
});
