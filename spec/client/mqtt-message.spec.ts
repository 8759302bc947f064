import { manualView, ReceivedMessage, withParams } from '../../lib/client/mqtt-message.js';

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

describe('manualView', () => {
  const payload = new TextEncoder().encode('{"n":1}');
  const message = new ReceivedMessage({ type: 'publish', topic: 'jobs/1', payload, qos: 2, retain: false, dup: true, packetId: 9, properties: { contentType: 'application/json' } });

  it("gives each manual observer a message of the same class whose ack() is the observer's own", () => {
    const acked: string[] = [];
    const a = manualView(message, { ack: () => acked.push('a') });
    const b = manualView(message, { ack: () => acked.push('b') });
    expect(a).toBeInstanceOf(ReceivedMessage);
    expect(Object.getPrototypeOf(a)).toBe(ReceivedMessage.prototype);
    expect([a.topic, a.qos, a.retain, a.dup, a.params, a.properties]).toEqual(['jobs/1', 2, false, true, undefined, { contentType: 'application/json' }]);
    expect(a.payload).toBe(payload); // the same view of the received bytes, not a copy
    expect(a.json()).toEqual({ n: 1 });
    b.ack();
    a.ack();
    message.ack(); // the message itself holds no acknowledgement
    expect(acked).toEqual(['b', 'a']);
  });

  it("reaches the view's handle through a pattern's derived message", () => {
    let acks = 0;
    const derived = withParams(manualView(message, { ack: () => acks++ }), { id: '1' });
    expect(derived.params).toEqual({ id: '1' });
    expect(derived.topic).toBe('jobs/1');
    derived.ack();
    expect(acks).toBe(1);
  });

  it('puts any other message behind a view of its own', () => {
    const derived = withParams(message, { id: '1' });
    let acks = 0;
    const view = manualView(derived, { ack: () => acks++ });
    expect(view.params).toEqual({ id: '1' });
    view.ack();
    derived.ack();
    expect(acks).toBe(1);
  });
});
