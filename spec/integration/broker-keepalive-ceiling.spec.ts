/**
 * `limits.maxKeepAlive` (and `rxmqtt broker --max-keepalive`): a ceiling on the keep alive, like
 * Mosquitto's max_keepalive. MQTT 5 clients over it are told it as Server Keep Alive
 * [MQTT-3.2.2-21]; clients under it keep their own; MQTT 3.1.1 clients over it are refused.
 */
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import type { Packet } from '../../lib/codec/packet.js';
import { RawClient } from '../broker/raw-client.js';
import { killAll, requireBuild, startBrokerProcess } from '../cli/cli-process';

const connectPacket = (keepAlive: number, protocolVersion: 4 | 5): Packet => ({ type: 'connect', protocolVersion, clientId: `ka-${keepAlive}-${protocolVersion}`, cleanStart: true, keepAlive });

async function connackFor(port: number, keepAlive: number, protocolVersion: 4 | 5): Promise<Packet> {
  const c = await RawClient.open(port);
  try {
    c.send(connectPacket(keepAlive, protocolVersion), protocolVersion);
    return (await c.packets(1, protocolVersion))[0] as Packet;
  } finally {
    c.destroy();
  }
}

describe('broker keep alive ceiling (maxKeepAlive 60)', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0, limits: { maxKeepAlive: 60 } });
  });
  afterAll(async () => broker?.close());

  it.each([
    [120, 60],
    [0, 60],
    [60, undefined],
    [30, undefined],
  ])('MQTT 5 keep alive %s: Server Keep Alive %s', async (asked, told) => {
    const connack = await connackFor(broker.port, asked, 5);
    expect(connack).toMatchObject({ type: 'connack', reasonCode: 0 });
    expect((connack as { properties?: { serverKeepAlive?: number } }).properties?.serverKeepAlive).toBe(told);
  });

  it.each([
    [120, 0x02],
    [0, 0x02],
    [30, 0],
  ])('MQTT 3.1.1 keep alive %s: CONNACK %s', async (asked, code) => {
    expect(await connackFor(broker.port, asked, 4)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: code });
  });

  it('refuses an invalid ceiling', async () => {
    await expect(startBroker({ port: 0, limits: { maxKeepAlive: 0 } })).rejects.toThrow(/limits.maxKeepAlive/);
  });
});

describe('rxmqtt broker --max-keepalive', () => {
  beforeAll(requireBuild);
  afterAll(killAll);

  it('sets the ceiling from the command line', async () => {
    const { broker, port } = await startBrokerProcess(['--max-keepalive', '20']);
    try {
      const connack = await connackFor(port, 300, 5);
      expect((connack as { properties?: { serverKeepAlive?: number } }).properties?.serverKeepAlive).toBe(20);
    } finally {
      broker.child.kill('SIGTERM');
      await broker.exited.catch(() => undefined);
    }
  });
});
