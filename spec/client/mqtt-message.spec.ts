import { ReceivedMessage } from '../../lib/client/mqtt-message.js';

describe('ReceivedMessage', () => {
  it('exposes the PUBLISH fields, the payload view, text() and json()', () => {
    const bytes = new TextEncoder().encode('xx{"temp":21.5,"unit":"°C"}');
    const payload = bytes.subarray(2);
    const m = new ReceivedMessage({ type: 'publish', topic: 't', payload, qos: 1, retain: true, dup: true, packetId: 3, properties: { contentType: 'application/json' } });
    expect([m.topic, m.qos, m.retain, m.dup]).toEqual(['t', 1, true, true]);
    expect(m.payload).toBe(payload);
    expect(m.text()).toBe('{"temp":21.5,"unit":"°C"}');
    expect(m.json<{ temp: number }>().temp).toBe(21.5);
    expect(m.properties?.contentType).toBe('application/json');
    expect(() => new ReceivedMessage({ type: 'publish', topic: 't', payload: new Uint8Array([0x7b]), qos: 0, retain: false, dup: false }).json()).toThrow(SyntaxError);
    expect(new ReceivedMessage({ type: 'publish', topic: 't', payload, qos: 0, retain: false, dup: false }).properties).toBeUndefined();
  });
});
