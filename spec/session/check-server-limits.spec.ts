import type { ConnackPacket, PublishPacket } from '../../lib/codec/packet.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { checkServerLimits } from '../../lib/session/check-server-limits.js';

const packet = (qos: 0 | 1 | 2, retain = false): PublishPacket => ({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos, retain, dup: false });
const connack = (properties?: ConnackPacket['properties']): ConnackPacket => ({ type: 'connack', sessionPresent: false, reasonCode: 0, properties });

describe('checkServerLimits', () => {
  it('allows everything when the server announced no limits', () => {
    expect(checkServerLimits(packet(2, true), connack())).toBeUndefined();
  });

  it('refuses a QoS above Maximum QoS, naming options.qos', () => {
    const error = checkServerLimits(packet(2), connack({ maximumQoS: 1 }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect([error?.argument, error?.specRef]).toEqual(['options.qos', 'MQTT-3.2.2-11']);
    expect(checkServerLimits(packet(1), connack({ maximumQoS: 1 }))).toBeUndefined();
    expect(checkServerLimits(packet(1), connack({ maximumQoS: 0 }))?.argument).toBe('options.qos');
  });

  it('refuses a retained message when Retain Available is false', () => {
    expect(checkServerLimits(packet(0, true), connack({ retainAvailable: false }))?.specRef).toBe('MQTT-3.2.2-14');
    expect(checkServerLimits(packet(0, false), connack({ retainAvailable: false }))).toBeUndefined();
  });
});
