import { lastValueFrom } from 'rxjs';
import { encode } from '../../lib/codec/encode.js';
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { ConnackPacket, ConnectPacket, Packet } from '../../lib/codec/packet.js';
import { ConnectionClosedError, ConnectRefusedError, ProtocolError } from '../../lib/errors.js';
import { connectHandshake } from '../../lib/session/connect-handshake.js';
import { PacketChannel } from '../../lib/session/packet-channel.js';
import { memoryTransportPair } from '../../lib/transport/memory-transport.js';

const connect = (protocolVersion: 4 | 5): ConnectPacket => ({ type: 'connect', protocolVersion, clientId: 'c', cleanStart: true, keepAlive: 10 });

/** Runs the handshake against a server that answers the CONNECT with `answer` (or closes). */
function handshake(protocolVersion: 4 | 5, answer: Packet | 'close'): { result: Promise<ConnackPacket>; got: Packet[] } {
  const [client, server] = memoryTransportPair();
  const got: Packet[] = [];
  const decoder = new PacketDecoder();
  server.incoming.subscribe((chunk) =>
    decoder.write(chunk, (p) => {
      got.push(p);
      if (answer === 'close') server.close();
      else server.send(encode(answer, { protocolVersion }));
    }),
  );
  const channel = new PacketChannel(client, { protocolVersion });
  return { result: lastValueFrom(connectHandshake(channel, connect(protocolVersion))), got };
}

describe('connectHandshake', () => {
  it('sends CONNECT and completes with an accepting CONNACK', async () => {
    const { result, got } = handshake(4, { type: 'connack', sessionPresent: true, reasonCode: 0 });
    expect(await result).toMatchObject({ sessionPresent: true, reasonCode: 0 });
    expect(got).toEqual([expect.objectContaining({ type: 'connect', clientId: 'c', keepAlive: 10 })]);
  });

  it('accepts MQTT 5 success codes below 0x80', async () => {
    await expect(handshake(5, { type: 'connack', sessionPresent: false, reasonCode: 0 }).result).resolves.toMatchObject({ reasonCode: 0 });
  });

  it.each([
    [4, 1, 'unacceptable protocol version'],
    [4, 4, 'bad user name or password'],
    [5, 0x86, 'bad user name or password'],
    [5, 0x9c, 'use another server'],
  ] as const)('MQTT %s: refuses with code %s (%s)', async (version, code, meaning) => {
    const error = await handshake(version, { type: 'connack', sessionPresent: false, reasonCode: code }).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(code);
    expect((error as Error).message).toContain(meaning);
  });

  it('errors with ProtocolError when the first packet is not CONNACK', async () => {
    await expect(handshake(4, { type: 'pingresp' }).result).rejects.toMatchObject({ specRef: 'MQTT-3.2.0-1' });
    await expect(handshake(4, { type: 'pingresp' }).result).rejects.toBeInstanceOf(ProtocolError);
  });

  it('errors with ConnectionClosedError when the server closes first', async () => {
    await expect(handshake(4, 'close').result).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
