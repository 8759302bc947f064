import { DEFAULT_BROKER_LIMITS, resolveBrokerOptions } from '../../lib/broker/broker-options';
import { InvalidArgumentError } from '../../lib/errors';

describe('resolveBrokerOptions', () => {
  it('applies the default limits and keeps the given ones', () => {
    expect(resolveBrokerOptions({ port: 0 })).toEqual({ ...DEFAULT_BROKER_LIMITS, maxSessionExpiryInterval: undefined, serverKeepAlive: undefined });
    const limits = resolveBrokerOptions({ port: 1883, limits: { maxQueuedMessages: 5, serverKeepAlive: 30 } });
    expect([limits.maxQueuedMessages, limits.serverKeepAlive, limits.maxInflight]).toEqual([5, 30, DEFAULT_BROKER_LIMITS.maxInflight]);
    // The documented defaults of the hostile-load limits.
    expect(DEFAULT_BROKER_LIMITS).toMatchObject({ maxTopicLevels: 128, maxConnections: 10000, sessionExpiry311: 86400, maxSubscriptionsPerClient: 1000 });
  });

  it.each([
    [{ port: 70000 }, 'options.port'],
    [{ port: 0, host: '' }, 'options.host'],
    [{ port: 0, websocket: { port: -2 } }, 'options.websocket.port'],
    [{ port: 0, tls: { port: 0, key: 'k' } }, 'options.tls'],
    [{ port: 0, authorizePublish: 1 }, 'options.authorizePublish'],
    [{ port: 0, limits: { maxPacketSize: 10 } }, 'limits.maxPacketSize'],
    [{ port: 0, limits: { receiveMaximum: 0 } }, 'limits.receiveMaximum'],
    [{ port: 0, limits: { maxSessions: 1.5 } }, 'limits.maxSessions'],
    [{ port: 0, limits: { maxTopicLevels: 0 } }, 'limits.maxTopicLevels'],
    [{ port: 0, limits: { maxConnections: 0 } }, 'limits.maxConnections'],
    [{ port: 0, limits: { sessionExpiry311: -1 } }, 'limits.sessionExpiry311'],
    [{ port: 0, limits: { maxSubscriptionsPerClient: 0 } }, 'limits.maxSubscriptionsPerClient'],
  ])('names the wrong option: %j', (options, argument) => {
    let error: unknown;
    try {
      resolveBrokerOptions(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
  });
});
