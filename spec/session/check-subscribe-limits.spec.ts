import { lastValueFrom } from 'rxjs';
import type { ConnackPacket, Subscription } from '../../lib/codec/packet.js';
import { SubscribeRefusedError } from '../../lib/errors.js';
import { checkSubscribeLimits } from '../../lib/session/check-subscribe-limits.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';

const sub = (topicFilter: string): Subscription => ({ topicFilter, qos: 1 });
const connack = (properties?: ConnackPacket['properties']): ConnackPacket => ({ type: 'connack', sessionPresent: false, reasonCode: 0, properties });

describe('checkSubscribeLimits', () => {
  it('allows everything when the server announced nothing (3.1.1 or no limits)', () => {
    expect(checkSubscribeLimits(sub('$share/g/a/#'), { subscriptionIdentifier: 3 }, connack())).toBeUndefined();
    expect(checkSubscribeLimits(sub('$share/g/a/#'), { subscriptionIdentifier: 3 }, connack({ maximumQoS: 1 }))).toBeUndefined();
  });

  it('refuses a wildcard filter with 0xA2 when Wildcard Subscription Available is 0, a plain one passes', () => {
    const limits = connack({ wildcardSubscriptionAvailable: false });
    for (const filter of ['a/+', 'a/#', '#', '+/b', '$share/g/a/+']) {
      const error = checkSubscribeLimits(sub(filter), undefined, limits);
      expect(error).toBeInstanceOf(SubscribeRefusedError);
      expect([error?.topicFilter, error?.reasonCode, error?.code]).toEqual([filter, 0xa2, 'SUBSCRIBE_REFUSED']);
      expect(error?.reasonString).toContain('Wildcard Subscription Available is 0');
    }
    expect(checkSubscribeLimits(sub('a/b'), undefined, limits)).toBeUndefined();
    expect(checkSubscribeLimits(sub('$share/g/a/b'), undefined, limits)).toBeUndefined(); // the share name is not the filter
  });

  it('refuses a $share/ filter with 0x9E when Shared Subscription Available is 0', () => {
    const limits = connack({ sharedSubscriptionAvailable: false });
    expect(checkSubscribeLimits(sub('$share/g/a'), undefined, limits)?.reasonCode).toBe(0x9e);
    expect(checkSubscribeLimits(sub('a/+'), undefined, limits)).toBeUndefined();
    expect(checkSubscribeLimits(sub('$sharex/a'), undefined, limits)).toBeUndefined();
  });

  it('refuses a Subscription Identifier with 0xA1 when Subscription Identifiers Available is 0', () => {
    const limits = connack({ subscriptionIdentifiersAvailable: false });
    expect(checkSubscribeLimits(sub('a'), { subscriptionIdentifier: 7 }, limits)?.reasonCode).toBe(0xa1);
    expect(checkSubscribeLimits(sub('a'), { userProperties: [['k', 'v']] }, limits)).toBeUndefined();
  });
});

describe('subscribing against the CONNACK capabilities (exact packets)', () => {
  afterEach(closeScriptedClients);

  const unsupported = {
    wildcardSubscriptionAvailable: false,
    sharedSubscriptionAvailable: false,
    subscriptionIdentifiersAvailable: false,
  } as const;

  it.each([
    ['a wildcard filter', 'a/+', undefined, 0xa2],
    ['a shared subscription', '$share/g/a', undefined, 0x9e],
    ['a Subscription Identifier', 'a', { subscriptionIdentifier: 5 }, 0xa1],
  ])('errors the observer for %s before any SUBSCRIBE is sent', async (_what, filter, properties, reasonCode) => {
    const { client, server } = await connectedPair({ protocolVersion: 5 }, { properties: unsupported });
    const error = await lastValueFrom(client.subscribe(filter, { qos: 1, properties })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscribeRefusedError);
    expect(error).toMatchObject({ topicFilter: filter, reasonCode });
    // The next packet on the wire is the allowed subscription that follows: nothing was sent for the refused one.
    const allowed = client.subscribe('plain/topic', { qos: 1 }).subscribe();
    const subscribe = await server.expect('subscribe');
    expect(subscribe.subscriptions.map((s) => s.topicFilter)).toEqual(['plain/topic']);
    expect(server.log.filter((p) => p.type === 'subscribe')).toHaveLength(1);
    allowed.unsubscribe();
  });

  it('sends them all when the server announced support (or nothing)', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    const first = client.subscribe('$share/g/a/+', { qos: 1, properties: { subscriptionIdentifier: 9 } }).subscribe();
    const subscribe = await server.expect('subscribe');
    expect(subscribe.subscriptions[0]?.topicFilter).toBe('$share/g/a/+');
    expect(subscribe.properties?.subscriptionIdentifier).toBe(9);
    server.send({ type: 'suback', packetId: subscribe.packetId, reasonCodes: [1] });
    first.unsubscribe();
  });
});
