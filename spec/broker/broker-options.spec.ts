import { DEFAULT_BROKER_LIMITS, resolveBrokerOptions } from '../../lib/broker/broker-options';
import { InvalidArgumentError } from '../../lib/errors';

describe('resolveBrokerOptions', () => {
  it('applies the default limits and keeps the given ones', () => {
    expect(resolveBrokerOptions({ port: 0 })).toEqual({ ...DEFAULT_BROKER_LIMITS, maxSessionExpiryInterval: undefined, serverKeepAlive: undefined });
    const limits = resolveBrokerOptions({ port: 1883, limits: { maxQueuedMessages: 5, serverKeepAlive: 30 } });
    expect([limits.maxQueuedMessages, limits.serverKeepAlive, limits.maxInflight]).toEqual([5, 30, DEFAULT_BROKER_LIMITS.maxInflight]);
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
