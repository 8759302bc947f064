import { firstValueFrom, filter, take, timeout } from 'rxjs';
import { DEFAULT_ALLOWED_ORIGINS, startBroker, type BrokerHandle } from '../../lib/broker/index';
import { InvalidArgumentError } from '../../lib/errors';
import { CONNACK_OK, attempt } from '../broker/ws-origin';

describe('WebSocket Origin policy, default', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0, websocket: { port: 0 } });
  });
  afterAll(() => broker.close());

  it('accepts a request without an Origin (a program, not a page)', async () => {
    expect(await attempt(broker.wsUrl as string, undefined)).toEqual(CONNACK_OK);
  });

  it.each(['http://localhost:5173', 'https://localhost', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'HTTP://LOCALHOST:1'])(
    'accepts a page from this machine: %s',
    async (origin) => {
      expect(await attempt(broker.wsUrl as string, origin)).toEqual(CONNACK_OK);
    },
  );

  it.each(['http://evil.example', 'https://localhost.evil.example', 'http://127.0.0.1.evil.example:80', 'null', 'file://'])(
    'refuses %s with 403 at the upgrade, and says so in events$',
    async (origin) => {
      const refused = firstValueFrom(broker.events$.pipe(filter((e) => e.type === 'connectionRefused'), take(1), timeout(5000)));
      const before = broker.refusedConnections;
      expect(await attempt(broker.wsUrl as string, origin)).toEqual({ status: 403 });
      expect(await refused).toEqual({ type: 'connectionRefused', clientId: undefined, reason: 'origin', origin });
      expect(broker.refusedConnections - before).toBe(1);
      expect(broker.connectedClients).toEqual([]);
    },
  );
});

describe('WebSocket Origin policy, configured', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0, websocket: { port: 0, allowedOrigins: ['https://app.example.com', 'http://dev.example:*'] } });
  });
  afterAll(() => broker.close());

  it.each([
    ['https://app.example.com', CONNACK_OK],
    ['https://app.example.com:443', CONNACK_OK],
    ['http://dev.example:8081', CONNACK_OK],
    [undefined, CONNACK_OK],
    ['http://app.example.com', { status: 403 }],
    ['https://app.example.com:8443', { status: 403 }],
    ['http://localhost:5173', { status: 403 }],
  ])('answers Origin %s with %j', async (origin, expected) => {
    expect(await attempt(broker.wsUrl as string, origin)).toEqual(expected);
  });

  it('accepts every page with *', async () => {
    const open = await startBroker({ port: 0, websocket: { port: 0, allowedOrigins: ['*'] } });
    try {
      expect(await attempt(open.wsUrl as string, 'http://anything.example')).toEqual(CONNACK_OK);
    } finally {
      await open.close();
    }
  });

  it('lets the default list be extended', async () => {
    const both = await startBroker({ port: 0, websocket: { port: 0, allowedOrigins: [...DEFAULT_ALLOWED_ORIGINS, 'https://app.example.com'] } });
    try {
      expect(await attempt(both.wsUrl as string, 'http://localhost:5173')).toEqual(CONNACK_OK);
      expect(await attempt(both.wsUrl as string, 'https://app.example.com')).toEqual(CONNACK_OK);
      expect(await attempt(both.wsUrl as string, 'https://other.example')).toEqual({ status: 403 });
    } finally {
      await both.close();
    }
  });

  it.each([['app.example.com'], ['https://app.example.com/path'], ['https://app.example.com:8443:*'], [42]])('rejects the entry %j with InvalidArgumentError', async (entry) => {
    await expect(startBroker({ port: 0, websocket: { port: 0, allowedOrigins: [entry as string] } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
