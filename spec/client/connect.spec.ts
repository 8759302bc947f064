import { filter, firstValueFrom, toArray } from 'rxjs';
import { connect as connectClient, connectAsync as connectClientAsync } from '../../lib/client/connect.js';
import type { ClientOptions } from '../../lib/client/client-options.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { ConnectRefusedError, ConnectionClosedError, InvalidArgumentError, ProtocolError, TimeoutError } from '../../lib/errors.js';
import type { ClientState } from '../../lib/client/mqtt-client.js';
import { scriptedServer } from '../helpers/scripted-peer.js';

// Every client a test makes is closed afterwards, so no timer outlives the suite.
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
});
function connect(urlOrOptions: string | ClientOptions, options?: ClientOptions): MqttClient {
  const client = connectClient(urlOrOptions, options);
  clients.push(client);
  return client;
}
// Used only where the connection fails (and the client closes itself).
const connectAsync = connectClientAsync;

describe('connect (browser entry) against a scripted server', () => {
  it('sends CONNECT with the options, and is connected after an accepting CONNACK (3.1.1)', async () => {
    const { transport, peer } = scriptedServer();
    const client = connect({ transport, clientId: 'c1', keepalive: 30, username: 'u', password: 'p', clean: false,
      will: { topic: 'wills/c1', payload: 'gone', qos: 1, retain: true } });
    const server = await peer;
    const packet = await server.expect('connect');
    expect(packet).toMatchObject({ protocolVersion: 4, clientId: 'c1', cleanStart: false, keepAlive: 30, username: 'u' });
    expect(new TextDecoder().decode(packet.password)).toBe('p');
    expect(packet.will).toMatchObject({ topic: 'wills/c1', qos: 1, retain: true });
    expect(new TextDecoder().decode(packet.will?.payload)).toBe('gone');
    const states: ClientState[] = [];
    client.state$.subscribe((s) => states.push(s));
    server.send({ type: 'connack', sessionPresent: true, reasonCode: 0 });
    await expect(connectedOf(client)).resolves.toMatchObject({ status: 'connected', sessionPresent: true });
    expect(states[0]).toEqual({ status: 'connecting' });
    await client.disconnect();
    await server.expect('disconnect');
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'disconnecting', 'closed']);
    expect(states[3]).toEqual({ status: 'closed' });
  });

  it('leaves the client id to the server with MQTT 5 when none is given [MQTT-3.1.3-6]', async () => {
    const { transport, peer } = scriptedServer();
    connect({ transport, protocolVersion: 5, properties: { sessionExpiryInterval: 60 } });
    const packet = await (await peer).expect('connect');
    expect(packet.protocolVersion).toBe(5);
    expect(packet.clientId).toBe('');
    expect(packet.properties?.sessionExpiryInterval).toBe(60);
  });

  it('rejects connectAsync with ConnectRefusedError carrying the 3.1.1 return code', async () => {
    const { transport, peer } = scriptedServer();
    const connecting = connectAsync({ transport });
    const server = await peer;
    await server.expect('connect');
    server.send({ type: 'connack', sessionPresent: false, reasonCode: 5 });
    const error = await connecting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(5);
    expect((error as Error).message).toContain('not authorized');
    await server.closed;
  });

  it('rejects with the MQTT 5 reason code and reason string of a refusing CONNACK', async () => {
    const { transport, peer } = scriptedServer();
    const connecting = connectAsync({ transport, protocolVersion: 5 });
    const server = await peer;
    await server.expect('connect');
    server.send({ type: 'connack', sessionPresent: false, reasonCode: 0x87, properties: { reasonString: 'no entry' } });
    const error = (await connecting.catch((e: unknown) => e)) as ConnectRefusedError;
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect(error.reasonCode).toBe(0x87);
    expect(error.reasonString).toBe('no entry');
  });

  it('fails with ProtocolError when the first packet is not CONNACK', async () => {
    const { transport, peer } = scriptedServer();
    const connecting = connectAsync({ transport });
    const server = await peer;
    await server.expect('connect');
    server.send({ type: 'pingresp' });
    await expect(connecting).rejects.toBeInstanceOf(ProtocolError);
  });

  it('fails with ConnectionClosedError when the server closes before CONNACK', async () => {
    const { transport, peer } = scriptedServer();
    const connecting = connectAsync({ transport });
    const server = await peer;
    await server.expect('connect');
    server.close();
    await expect(connecting).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('fails with TimeoutError CONNECT_TIMEOUT when no CONNACK comes in time', async () => {
    const { transport, peer } = scriptedServer();
    const connecting = connectAsync({ transport, connectTimeout: 50 });
    const server = await peer;
    await server.expect('connect');
    const error = await connecting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('CONNECT_TIMEOUT');
    await server.closed;
  });

  it('replays the closed state and completes state$ after the connection ended', async () => {
    const { transport, peer } = scriptedServer();
    const client = connect({ transport, reconnect: false });
    const server = await peer;
    await server.expect('connect');
    server.send({ type: 'connack', sessionPresent: false, reasonCode: 0 });
    await connectedOf(client);
    server.close();
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'closed')));
    const states = await firstValueFrom(client.state$.pipe(toArray()));
    expect(states).toHaveLength(1);
    expect(states[0].status).toBe('closed');
    expect(states[0].status === 'closed' && states[0].error).toBeInstanceOf(ConnectionClosedError);
  });

  it('throws InvalidArgumentError naming the option for invalid options', () => {
    const { transport } = scriptedServer();
    expect(() => connect({ transport, keepalive: -1 })).toThrow(InvalidArgumentError);
    expect(() => connect({ transport, protocolVersion: 3 as 4 })).toThrow(/protocolVersion/);
    expect(() => connect({ transport, will: { topic: 'a/+', payload: 'x' } })).toThrow(/will.topic/);
    expect(() => connect({ transport, password: 'p' })).toThrow(/password/);
    expect(() => connect({ transport, properties: { receiveMaximum: 1 } })).toThrow(/properties/);
    expect(() => connect('mqtt://localhost:1883')).toThrow(/rxmqtt\/node/);
    expect(() => connect('gopher://localhost')).toThrow(InvalidArgumentError);
  });
});

function connectedOf(client: { state$: import('rxjs').Observable<ClientState> }): Promise<ClientState> {
  return new Promise((resolve, reject) => {
    const sub = client.state$.subscribe((s) => {
      if (s.status === 'connected') {
        resolve(s);
        queueMicrotask(() => sub.unsubscribe());
      } else if (s.status === 'closed') reject(s.error);
    });
  });
}

describe('connect (browser entry) without a global WebSocket', () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
  beforeEach(() => {
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
  });
  afterEach(() => {
    if (saved) Object.defineProperty(globalThis, 'WebSocket', saved);
  });

  it('throws InvalidArgumentError naming the WebSocket option and how to pass one', () => {
    let thrown: unknown;
    try {
      connect('ws://127.0.0.1:1/mqtt');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect(thrown).toMatchObject({ argument: 'WebSocket' });
    expect((thrown as Error).message).toContain('connect(url, { WebSocket })');
    expect((thrown as Error).message).toContain("'rxmqtt/node'");
  });

  it('uses the constructor given as options.WebSocket', async () => {
    const opened: string[] = [];
    class RecordingWebSocket {
      binaryType = '';
      readyState = 0;
      onopen: (() => void) | null = null;
      onmessage = null;
      onerror = null;
      onclose: ((event: { code: number }) => void) | null = null;
      constructor(url: string, protocols: string[]) {
        opened.push(`${url} ${protocols.join(',')}`);
        queueMicrotask(() => this.onclose?.({ code: 1002 }));
      }
      send(): void {}
      close(): void {}
    }
    await expect(connectAsync('ws://127.0.0.1:1/mqtt', { WebSocket: RecordingWebSocket, reconnect: false })).rejects.toMatchObject({
      name: 'TransportError',
    });
    expect(opened).toEqual(['ws://127.0.0.1:1/mqtt mqtt']);
  });
});
