/**
 * The broker's MQTT 5 enhanced authentication (section 4.12) with exact packets over a real socket:
 * a scripted challenge/response method, the CONNECT exchange, re-authentication and the failures.
 */
import type { ServerAuthMethod } from '../../lib/auth/authentication';
import { startBroker, type BrokerHandle } from '../../lib/broker/index';
import type { Packet } from '../../lib/codec/packet';
import { InvalidArgumentError } from '../../lib/errors';
import { RawClient } from './raw-client';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

/** TOKEN: the client sends its name, the broker challenges with "nonce-<name>", the answer must be "signed-nonce-<name>". */
const seen: string[] = [];
const token: ServerAuthMethod = (request) => {
  let expected: string | undefined;
  return async (data) => {
    seen.push(`${request.reauthenticate ? 're' : 'connect'}:${text(data)}`);
    if (expected === undefined) {
      if (text(data) === 'explode') throw new Error('hook failure');
      expected = `signed-nonce-${text(data)}`;
      return { kind: 'continue', data: bytes(`nonce-${text(data)}`) };
    }
    return text(data) === expected ? { kind: 'success', data: bytes('welcome') } : { kind: 'failure', reasonCode: 0x87, reason: 'bad signature' };
  };
};

let broker: BrokerHandle;
const clients: RawClient[] = [];
beforeAll(async () => {
  broker = await startBroker({ port: 0, enhancedAuth: { TOKEN: token, ONESHOT: () => (d) => (text(d) === 'ok' ? { kind: 'success' } : { kind: 'failure', reasonCode: 0x86 }) } });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  seen.length = 0;
});
afterAll(() => broker.close());

async function open(): Promise<RawClient> {
  const c = await RawClient.open(broker.port);
  clients.push(c);
  return c;
}

const connectWith = (method: string, data?: string): Packet => ({
  type: 'connect',
  protocolVersion: 5,
  clientId: `c${Math.random().toString(36).slice(2, 8)}`,
  cleanStart: true,
  keepAlive: 60,
  properties: { authenticationMethod: method, ...(data === undefined ? {} : { authenticationData: bytes(data) }) },
});
const auth = (reasonCode: number, method: string, data?: string): Packet => ({
  type: 'auth',
  reasonCode,
  properties: { authenticationMethod: method, ...(data === undefined ? {} : { authenticationData: bytes(data) }) },
});

/** A client through the TOKEN exchange; returns it with the packets seen so far (AUTH, CONNACK). */
async function authenticated(): Promise<{ c: RawClient; count: number }> {
  const c = await open();
  c.send(connectWith('TOKEN', 'alice'), 5);
  await c.packets(1, 5);
  c.send(auth(0x18, 'TOKEN', 'signed-nonce-alice'), 5);
  const got = await c.packets(2, 5);
  expect(got[1]).toMatchObject({ type: 'connack', reasonCode: 0 });
  return { c, count: 2 };
}

describe('enhanced authentication during CONNECT', () => {
  it('AUTH 0x18 challenge, the client\'s AUTH 0x18 answer, CONNACK 0x00 with method and final data [MQTT-4.12.0-2] [MQTT-4.12.0-5]', async () => {
    const c = await open();
    c.send(connectWith('TOKEN', 'alice'), 5);
    expect((await c.packets(1, 5))[0]).toEqual({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('nonce-alice') } });
    c.send(auth(0x18, 'TOKEN', 'signed-nonce-alice'), 5);
    const connack = (await c.packets(2, 5))[1];
    expect(connack).toMatchObject({ type: 'connack', reasonCode: 0, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('welcome') } });
    expect(seen).toEqual(['connect:alice', 'connect:signed-nonce-alice']);
    expect(c.isOpen).toBe(true);
  });

  it('a wrong answer: CONNACK 0x87, then close [MQTT-4.12.0-4]', async () => {
    const c = await open();
    c.send(connectWith('TOKEN', 'alice'), 5);
    await c.packets(1, 5);
    c.send(auth(0x18, 'TOKEN', 'forged'), 5);
    await c.waitClosed();
    expect((await c.packets(2, 5))[1]).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x87 });
  });

  it('a one-step method refuses with its own code, accepts without a challenge', async () => {
    const bad = await open();
    bad.send(connectWith('ONESHOT', 'nope'), 5);
    await bad.waitClosed();
    expect((await bad.packets(1, 5))[0]).toMatchObject({ type: 'connack', reasonCode: 0x86 });
    const good = await open();
    good.send(connectWith('ONESHOT', 'ok'), 5);
    expect((await good.packets(1, 5))[0]).toMatchObject({ type: 'connack', reasonCode: 0, properties: { authenticationMethod: 'ONESHOT' } });
  });

  it('an unknown method: CONNACK 0x8C [MQTT-4.12.0-1]', async () => {
    const c = await open();
    c.send(connectWith('SCRAM-SHA-1', 'x'), 5);
    await c.waitClosed();
    expect((await c.packets(1, 5))[0]).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x8c });
  });

  it('a hook that throws refuses as not authorized (0x87)', async () => {
    const c = await open();
    c.send(connectWith('TOKEN', 'explode'), 5);
    await c.waitClosed();
    expect((await c.packets(1, 5))[0]).toMatchObject({ type: 'connack', reasonCode: 0x87 });
  });

  it('an answer with another method or reason code: CONNACK 0x82 [MQTT-4.12.0-3] [MQTT-4.12.0-5]', async () => {
    for (const answer of [auth(0x18, 'OTHER', 'signed-nonce-alice'), auth(0x19, 'TOKEN', 'signed-nonce-alice')]) {
      const c = await open();
      c.send(connectWith('TOKEN', 'alice'), 5);
      await c.packets(1, 5);
      c.send(answer, 5);
      await c.waitClosed();
      expect((await c.packets(2, 5))[1]).toMatchObject({ type: 'connack', reasonCode: 0x82 });
    }
  });
});

describe('re-authentication (AUTH 0x19) on a connected client', () => {
  it('AUTH 0x19, challenge AUTH 0x18, answer, AUTH 0x00 with the final data; the connection goes on', async () => {
    const { c } = await authenticated();
    c.send(auth(0x19, 'TOKEN', 'bob'), 5);
    expect((await c.packets(3, 5))[2]).toEqual({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('nonce-bob') } });
    c.send(auth(0x18, 'TOKEN', 'signed-nonce-bob'), 5);
    expect((await c.packets(4, 5))[3]).toEqual({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TOKEN', authenticationData: bytes('welcome') } });
    c.send({ type: 'pingreq' }, 5);
    expect((await c.packets(5, 5))[4]).toEqual({ type: 'pingresp' });
    expect(seen.slice(2)).toEqual(['re:bob', 're:signed-nonce-bob']);
  });

  it('a failed re-authentication: DISCONNECT 0x87, then close [MQTT-4.12.1-2]', async () => {
    const { c } = await authenticated();
    c.send(auth(0x19, 'TOKEN', 'bob'), 5);
    await c.packets(3, 5);
    c.send(auth(0x18, 'TOKEN', 'forged'), 5);
    await c.waitClosed();
    expect((await c.packets(4, 5))[3]).toEqual({ type: 'disconnect', reasonCode: 0x87 });
  });

  it('re-authentication with another method than CONNECT\'s: DISCONNECT 0x82 (0x8C is no DISCONNECT code) [MQTT-4.12.1-1]', async () => {
    const { c } = await authenticated();
    c.send(auth(0x19, 'ONESHOT', 'ok'), 5);
    await c.waitClosed();
    expect((await c.packets(3, 5))[2]).toEqual({ type: 'disconnect', reasonCode: 0x82 });
  });

  it('AUTH 0x00 or 0x18 from the client with nothing running: DISCONNECT 0x82 [MQTT-3.15.2-1]', async () => {
    for (const code of [0x00, 0x18]) {
      const { c } = await authenticated();
      c.send(auth(code, 'TOKEN', 'x'), 5);
      await c.waitClosed();
      expect((await c.packets(3, 5))[2]).toEqual({ type: 'disconnect', reasonCode: 0x82 });
    }
  });
});

describe('the enhancedAuth option', () => {
  it('is validated', async () => {
    await expect(startBroker({ port: 0, enhancedAuth: 5 as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(startBroker({ port: 0, enhancedAuth: { X: 'no' as never } })).rejects.toThrow(/enhancedAuth\.X/);
  });
});
