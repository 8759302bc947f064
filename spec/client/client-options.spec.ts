import { buildConnectPacket } from '../../lib/client/build-connect-packet.js';
import { DEFAULT_MAXIMUM_PACKET_SIZE, incomingMaximumPacketSize, toPayload } from '../../lib/client/client-options.js';
import { mergeConnectArguments } from '../../lib/client/merge-connect-arguments.js';
import { InvalidArgumentError } from '../../lib/errors.js';

describe('buildConnectPacket', () => {
  it('applies the defaults: MQTT 3.1.1, clean, keepalive 60, a generated client id', () => {
    const packet = buildConnectPacket({});
    expect(packet).toMatchObject({ type: 'connect', protocolVersion: 4, cleanStart: true, keepAlive: 60 });
    expect(packet.clientId).toMatch(/^rxmqtt_[0-9a-f]{12}$/);
    expect(buildConnectPacket({}).clientId).not.toBe(packet.clientId);
    expect(buildConnectPacket({ clientId: '' }).clientId).toMatch(/^rxmqtt_/);
  });

  it('leaves an absent or empty client id empty with MQTT 5, for the server to assign [MQTT-3.1.3-6]', () => {
    expect(buildConnectPacket({ protocolVersion: 5 }).clientId).toBe('');
    expect(buildConnectPacket({ protocolVersion: 5, clientId: '' }).clientId).toBe('');
    expect(buildConnectPacket({ protocolVersion: 5, clientId: 'c' }).clientId).toBe('c');
  });

  it('builds the will with UTF-8 payload and defaults', () => {
    const packet = buildConnectPacket({ protocolVersion: 5, will: { topic: 'w', payload: 'bye', properties: { willDelayInterval: 5 } } });
    expect(packet.will).toEqual({ topic: 'w', payload: new TextEncoder().encode('bye'), qos: 0, retain: false, properties: { willDelayInterval: 5 } });
  });

  it.each([
    [{ keepalive: 70000 }, 'keepalive'],
    [{ keepalive: 1.5 }, 'keepalive'],
    [{ clean: 'yes' }, 'clean'],
    [{ clientId: 7 }, 'clientId'],
    [{ pingTimeout: 0 }, 'pingTimeout'],
    [{ connectTimeout: -5 }, 'connectTimeout'],
    [{ password: 'x' }, 'password'],
    [{ password: 5, username: 'u' }, 'password'],
    [{ properties: { sessionExpiryInterval: 1 } }, 'properties'],
    [{ protocolVersion: 5, properties: { topicAliasMaximum: -1 } }, 'properties.topicAliasMaximum'],
    [{ will: { topic: '', payload: 'x' } }, 'will.topic'],
    [{ will: { topic: 'w', payload: 'x', qos: 3 } }, 'will.qos'],
    [{ will: { topic: 'w', payload: 7 } }, 'will.payload'],
    [{ will: { topic: 'w', payload: 'x', properties: {} } }, 'will.properties'],
  ])('rejects %j naming %s', (options, argument) => {
    let error: unknown;
    try {
      buildConnectPacket(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
  });
});

describe('incoming maximum packet size', () => {
  it('defaults to 16 MiB on both versions and is announced in an MQTT 5 CONNECT as Maximum Packet Size [MQTT-3.1.2-24]', () => {
    expect(DEFAULT_MAXIMUM_PACKET_SIZE).toBe(16_777_216);
    expect(incomingMaximumPacketSize({})).toBe(16_777_216);
    expect(buildConnectPacket({}).properties).toBeUndefined(); // 3.1.1 has nowhere to say it
    expect(buildConnectPacket({ protocolVersion: 5 }).properties).toEqual({ maximumPacketSize: 16_777_216 });
  });

  it('takes maximumPacketSize or properties.maximumPacketSize, keeping the other properties', () => {
    expect(incomingMaximumPacketSize({ maximumPacketSize: 4096 })).toBe(4096);
    expect(buildConnectPacket({ protocolVersion: 5, maximumPacketSize: 4096, properties: { receiveMaximum: 5 } }).properties).toEqual({
      receiveMaximum: 5,
      maximumPacketSize: 4096,
    });
    const viaProperties = { protocolVersion: 5 as const, properties: { maximumPacketSize: 2048 } };
    expect(incomingMaximumPacketSize(viaProperties)).toBe(2048);
    expect(buildConnectPacket(viaProperties).properties).toEqual({ maximumPacketSize: 2048 });
    expect(buildConnectPacket({ protocolVersion: 5, maximumPacketSize: 2048, properties: { maximumPacketSize: 2048 } }).properties).toEqual({
      maximumPacketSize: 2048,
    });
  });

  it('refuses a size outside 2 to 268 435 460, or two different sizes, with InvalidArgumentError naming the option', () => {
    for (const bad of [0, 1, 1.5, 268_435_461, Number.NaN]) {
      expect(() => buildConnectPacket({ maximumPacketSize: bad })).toThrow(InvalidArgumentError);
    }
    expect(() => buildConnectPacket({ maximumPacketSize: '1024' as never })).toThrow(/maximumPacketSize/);
    expect(() => buildConnectPacket({ protocolVersion: 5, maximumPacketSize: 1024, properties: { maximumPacketSize: 2048 } })).toThrow(
      /maximumPacketSize: differs from properties.maximumPacketSize/,
    );
    expect(buildConnectPacket({ maximumPacketSize: 268_435_460 })).toMatchObject({ protocolVersion: 4 });
  });
});

describe('mergeConnectArguments', () => {
  it('takes the URL from the first argument and credentials from it when absent', () => {
    const merged = mergeConnectArguments('mqtt://u:p%20w@example.com', { clientId: 'c' });
    expect(merged).toMatchObject({ url: 'mqtt://u:p%20w@example.com', clientId: 'c', username: 'u', password: 'p w' });
    expect(merged.brokerUrl).toMatchObject({ protocol: 'tcp', host: 'example.com', port: 1883 });
  });

  it('does not parse a URL when a transport is given', () => {
    const transport = () => {
      throw new Error('unused');
    };
    expect(mergeConnectArguments({ transport, url: 'nonsense' }, undefined).brokerUrl).toBeUndefined();
  });

  it('rejects arguments of the wrong type', () => {
    expect(() => mergeConnectArguments(42, undefined)).toThrow(/urlOrOptions/);
    expect(() => mergeConnectArguments('mqtt://h', 'x')).toThrow(/options/);
  });
});

describe('toPayload', () => {
  it('encodes strings as UTF-8, passes bytes through, rejects the rest', () => {
    expect(Array.from(toPayload('é', 'payload'))).toEqual([0xc3, 0xa9]);
    const bytes = Uint8Array.of(1);
    expect(toPayload(bytes, 'payload')).toBe(bytes);
    expect(() => toPayload({}, 'payload')).toThrow(/payload: expected a string or a Uint8Array/);
  });
});
