import { peekProtocolLevel } from '../../lib/broker/peek-protocol-level';

describe('peekProtocolLevel', () => {
  it('reads the level after the protocol name', () => {
    // CONNECT, remaining length 13, name "MQTT", level 5
    expect(peekProtocolLevel(Uint8Array.of(0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02))).toBe(5);
    // remaining length in two bytes (200 = 0xc8 0x01), name "MQTT", level 4
    expect(peekProtocolLevel(Uint8Array.of(0x10, 0xc8, 0x01, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04))).toBe(4);
    // "MQIsdp", level 3
    expect(peekProtocolLevel(Uint8Array.of(0x10, 0x10, 0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03))).toBe(3);
  });

  it('gives up on other packets and on bytes that end too early', () => {
    expect(peekProtocolLevel(Uint8Array.of(0xc0, 0x00))).toBeUndefined();
    expect(peekProtocolLevel(Uint8Array.of(0x10, 0x0d, 0x00, 0x04, 0x4d))).toBeUndefined();
    expect(peekProtocolLevel(Uint8Array.of(0x10))).toBeUndefined();
  });
});
