import type { ConnackPacket, PublishPacket } from '../../lib/codec/packet.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { checkServerLimits, fitServerLimits } from '../../lib/session/check-server-limits.js';
import { connect } from '../../lib/client/connect.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';

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

describe('fitServerLimits', () => {
  it("downgrades only with 'downgrade' and only above the server's Maximum QoS", () => {
    const qos2 = { ...packet(2), packetId: 4 };
    expect(fitServerLimits(qos2, connack({ maximumQoS: 1 }), 'refuse')).toBe(qos2);
    expect(fitServerLimits(qos2, connack({ maximumQoS: 1 }), undefined)).toBe(qos2);
    expect(fitServerLimits(qos2, connack(), 'downgrade')).toBe(qos2);
    expect(fitServerLimits(qos2, connack({ maximumQoS: 1 }), 'downgrade')).toEqual({ ...qos2, qos: 1 });
    const qos0 = fitServerLimits({ ...qos2, dup: true }, connack({ maximumQoS: 0 }), 'downgrade');
    expect(qos0).toEqual(packet(0));
    expect('packetId' in qos0).toBe(false);
  });
});

describe("publishing above the server's Maximum QoS (exact packets)", () => {
  afterEach(closeScriptedClients);

  it('refuses by default: nothing is sent for it and the next publish goes out', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 }, { properties: { maximumQoS: 1 } });
    await expect(client.publishAsync('t', 'x', { qos: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', specRef: 'MQTT-3.2.2-11' });
    const next = client.publishAsync('t', 'y', { qos: 1 });
    const publish = await server.expect('publish');
    expect([publish.qos, new TextDecoder().decode(publish.payload)]).toEqual([1, 'y']);
    server.send({ type: 'puback', packetId: publish.packetId ?? 0 });
    await next;
  });

  it("with aboveMaximumQoS 'downgrade', a QoS 2 publish goes as QoS 1 and completes on PUBACK", async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5, aboveMaximumQoS: 'downgrade' }, { properties: { maximumQoS: 1 } });
    const done = client.publishAsync('t', 'x', { qos: 2 });
    const publish = await server.expect('publish');
    expect(publish.qos).toBe(1);
    expect(publish.packetId).toBeGreaterThan(0);
    server.send({ type: 'puback', packetId: publish.packetId ?? 0 });
    await done;
    expect(server.log.some((p) => p.type === 'pubrel')).toBe(false);
  });

  it("with aboveMaximumQoS 'downgrade' and Maximum QoS 0, a QoS 1 publish goes as QoS 0 without a packet identifier", async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5, aboveMaximumQoS: 'downgrade' }, { properties: { maximumQoS: 0 } });
    await client.publishAsync('t', 'x', { qos: 1 }); // completes once written, as QoS 0 does
    const publish = await server.expect('publish');
    expect([publish.qos, publish.packetId]).toEqual([0, undefined]);
  });

  it('rejects an unknown aboveMaximumQoS value at connect', () => {
    expect(() => connect({ transport: () => { throw new Error('never opened'); }, protocolVersion: 5, aboveMaximumQoS: 'lower' as never })).toThrow(/aboveMaximumQoS: expected 'refuse' or 'downgrade', got "lower"/);
  });
});
