import { isValidReasonCode, reasonCodeName, REASON_CODES_BY_PACKET } from '../../lib/codec/reason-codes.js';

describe('reason codes', () => {
  it('names codes, with the packet-dependent names of 0x00', () => {
    expect(reasonCodeName(0x87)).toBe('Not authorized');
    expect(reasonCodeName(0x00, 'disconnect')).toBe('Normal disconnection');
    expect(reasonCodeName(0x00, 'suback')).toBe('Granted QoS 0');
    expect(reasonCodeName(0x00, 'puback')).toBe('Success');
    expect(reasonCodeName(0x42)).toBe('Unknown reason code 0x42');
  });

  it('every code allowed in a packet has a name', () => {
    for (const codes of Object.values(REASON_CODES_BY_PACKET)) {
      for (const c of codes) expect(reasonCodeName(c)).not.toMatch(/^Unknown/);
    }
  });

  it('knows which packet may carry which code', () => {
    expect(isValidReasonCode('puback', 0x10)).toBe(true);
    expect(isValidReasonCode('pubrel', 0x10)).toBe(false);
    expect(isValidReasonCode('disconnect', 0x04)).toBe(true);
    expect(isValidReasonCode('connack', 0x04)).toBe(false);
    expect(isValidReasonCode('auth', 0x18)).toBe(true);
    expect(isValidReasonCode('publish', 0x00)).toBe(false);
  });
});
