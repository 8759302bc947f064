import type { ConnectPacket } from '../../lib/codec/packet.js';
import { applyConnectOverrides } from '../../lib/client/apply-connect-overrides.js';
import { InvalidArgumentError } from '../../lib/errors.js';

const base4: ConnectPacket = { type: 'connect', protocolVersion: 4, clientId: 'c', cleanStart: true, keepAlive: 60, username: 'u' };
const base5: ConnectPacket = { ...base4, protocolVersion: 5, properties: { sessionExpiryInterval: 60, receiveMaximum: 10 } };
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

describe('applyConnectOverrides', () => {
  it('returns the base CONNECT when nothing changes', () => {
    expect(applyConnectOverrides(base4, undefined, true)).toBe(base4);
    expect(applyConnectOverrides(base4, undefined, false)).toBe(base4); // 3.1.1: clean as configured
  });

  it('takes username and password (string or bytes) from the hook and merges MQTT 5 properties', () => {
    const next = applyConnectOverrides(base5, { username: 'v', password: 'token', properties: { receiveMaximum: 5 } }, true);
    expect(next).toMatchObject({ username: 'v', properties: { sessionExpiryInterval: 60, receiveMaximum: 5 } });
    expect(text(next.password)).toBe('token');
    expect(applyConnectOverrides(base4, { password: new Uint8Array([1]) }, true).password).toEqual(new Uint8Array([1]));
  });

  it('turns Clean Start off on reconnects of an MQTT 5 client whose session outlives the connection', () => {
    expect(applyConnectOverrides(base5, undefined, true).cleanStart).toBe(true);
    expect(applyConnectOverrides(base5, undefined, false).cleanStart).toBe(false);
    const noExpiry = { ...base5, properties: {} };
    expect(applyConnectOverrides(noExpiry, undefined, false).cleanStart).toBe(true);
  });

  it('throws InvalidArgumentError (beforeConnect) for what the hook got wrong', () => {
    expect(() => applyConnectOverrides(base4, 'x' as never, true)).toThrow(InvalidArgumentError);
    expect(() => applyConnectOverrides(base4, { username: 1 as never }, true)).toThrow(/beforeConnect/);
    expect(() => applyConnectOverrides(base4, { password: 5 as never }, true)).toThrow(InvalidArgumentError);
    expect(() => applyConnectOverrides(base4, { properties: { receiveMaximum: 1 } }, true)).toThrow(/protocolVersion 5/);
    const anonymous = { ...base4, username: undefined };
    expect(() => applyConnectOverrides(anonymous, { password: 'p' }, true)).toThrow(/MQTT-3.1.2-22/);
  });
});
