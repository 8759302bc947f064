import { fitConnack } from '../../lib/broker/fit-connack';
import { encode } from '../../lib/codec/encode';
import type { ConnackPacket } from '../../lib/codec/packet';

const full: ConnackPacket = {
  type: 'connack',
  sessionPresent: false,
  reasonCode: 0,
  properties: {
    receiveMaximum: 65535,
    maximumPacketSize: 1048576,
    topicAliasMaximum: 64,
    retainAvailable: true,
    wildcardSubscriptionAvailable: true,
    subscriptionIdentifiersAvailable: true,
    sharedSubscriptionAvailable: true,
    assignedClientIdentifier: 'abc',
  },
};
const size = (p: ConnackPacket): number => encode(p, { protocolVersion: 5 }).length;

describe('fitConnack', () => {
  it('returns the packet unchanged when it fits or there is no limit', () => {
    expect(fitConnack(full, undefined)).toBe(full);
    expect(fitConnack(full, size(full))).toBe(full);
  });

  it('drops the properties whose absence means the same first', () => {
    const fitted = fitConnack(full, size(full) - 1) as ConnackPacket;
    expect(fitted.properties).toEqual({ receiveMaximum: 65535, maximumPacketSize: 1048576, topicAliasMaximum: 64, assignedClientIdentifier: 'abc' });
  });

  it('keeps dropping, in order, but never the Assigned Client Identifier', () => {
    const sizes = [13, 10, 5];
    for (const max of sizes) {
      const fitted = fitConnack({ ...full, properties: { ...full.properties, assignedClientIdentifier: undefined } }, max);
      expect(fitted === undefined ? Infinity : size(fitted)).toBeLessThanOrEqual(max);
    }
    const minimal = fitConnack(full, 11) as ConnackPacket;
    expect(minimal.properties).toEqual({ assignedClientIdentifier: 'abc' });
    expect(fitConnack(full, 10)).toBeUndefined();
  });
});
