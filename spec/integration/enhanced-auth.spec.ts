/**
 * MQTT 5 enhanced authentication end to end over real sockets: our client with scramSha256Client
 * against our broker with scramSha256Server (Mosquitto 2.0 offers no SCRAM method, so there is no
 * second broker to try it against).
 */
import { filter, firstValueFrom } from 'rxjs';
import { scramSha256Client } from '../../lib/auth/scram-sha256-client';
import { deriveScramCredentials, scramSha256Server, startBroker, type BrokerHandle, type ScramCredentials } from '../../lib/broker/index';
import type { MqttClient } from '../../lib/client/mqtt-client';
import { ConnectionClosedError, ConnectRefusedError, MqttError } from '../../lib/errors';
import { connectAsync } from '../../lib/node/index';

const users = new Map<string, ScramCredentials>();
let broker: BrokerHandle;
const clients: MqttClient[] = [];

beforeAll(async () => {
  users.set('alice', await deriveScramCredentials('pencil'));
  broker = await startBroker({ port: 0, enhancedAuth: { 'SCRAM-SHA-256': scramSha256Server({ lookup: (name) => users.get(name) }) } });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
  users.set('alice', await deriveScramCredentials('pencil'));
});
afterAll(() => broker.close());

async function scram(username: string, password: string, method?: string): Promise<MqttClient> {
  const authentication = scramSha256Client({ username, password });
  const client = await connectAsync(broker.url, {
    protocolVersion: 5,
    reconnect: false,
    authentication: method === undefined ? authentication : { ...authentication, method, data: authentication.data, onChallenge: authentication.onChallenge },
  });
  clients.push(client);
  return client;
}

describe('SCRAM-SHA-256 between our client and our broker', () => {
  it('connects with the right password, and messages flow', async () => {
    const client = await scram('alice', 'pencil');
    await client.publishAsync('auth/test', 'hello', { qos: 1, retain: true });
    const got = await firstValueFrom(client.subscribe('auth/test', { qos: 1 }));
    expect(got.text()).toBe('hello');
  });

  it('a wrong password: ConnectRefusedError 0x87', async () => {
    const error = await scram('alice', 'pencil!').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(0x87);
  });

  it('an unknown user: ConnectRefusedError 0x87 as well (no difference to a wrong password)', async () => {
    await expect(scram('mallory', 'pencil')).rejects.toMatchObject({ reasonCode: 0x87 });
  });

  it('an unknown method: ConnectRefusedError 0x8C', async () => {
    const error = await scram('alice', 'pencil', 'SCRAM-SHA-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(0x8c);
  });

  it('a broker that does not know the password (wrong ServerKey) is caught by the client: AUTH_FAILED', async () => {
    const real = users.get('alice')!;
    users.set('alice', { ...real, serverKey: new Uint8Array(32) });
    const error = await scram('alice', 'pencil').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MqttError);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', cause: { code: 'SCRAM_BAD_SERVER_SIGNATURE' } });
  });

  it('re-authenticates on the live connection, twice, and the connection goes on', async () => {
    const client = await scram('alice', 'pencil');
    await client.reauthenticate();
    await client.reauthenticate();
    await client.publishAsync('auth/after', 'x', { qos: 1 });
    expect((await firstValueFrom(client.state$)).status).toBe('connected');
  });

  it('a failed re-authentication (the password changed meanwhile): the broker disconnects with 0x87, AUTH_FAILED', async () => {
    const client = await scram('alice', 'pencil');
    users.set('alice', await deriveScramCredentials('new password'));
    const closed = firstValueFrom(client.state$.pipe(filter((s) => s.status === 'closed')));
    const error = await client.reauthenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', reasonCode: 0x87 });
    const state = await closed;
    expect(state).toMatchObject({ status: 'closed', error: { reasonCode: 0x87 } });
  });

  it('after a failed re-authentication the client reconnects with a fresh SCRAM exchange', async () => {
    const authentication = scramSha256Client({ username: 'alice', password: 'pencil' });
    const client = await connectAsync(broker.url, { protocolVersion: 5, reconnect: { minDelay: 10, maxDelay: 20 }, authentication });
    clients.push(client);
    const pencil = users.get('alice')!;
    users.set('alice', await deriveScramCredentials('other'));
    const reconnecting = firstValueFrom(client.state$.pipe(filter((s) => s.status === 'reconnecting')));
    await expect(client.reauthenticate()).rejects.toMatchObject({ code: 'AUTH_FAILED', reasonCode: 0x87 });
    users.set('alice', pencil); // the next CONNECT's exchange finds the password again
    await reconnecting;
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'connected')));
    await client.reauthenticate();
  });
});
