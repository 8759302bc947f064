import { EMPTY, map, NEVER, of, Subject, type Observable as Obs } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { PublishPacket } from '../../lib/codec/packet.js';
import type { MqttClient, PublishOptions } from '../../lib/client/mqtt-client.js';
import type { MqttMessage } from '../../lib/client/mqtt-message.js';
import { request, respond } from '../../lib/client/request-response.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A client whose subscriptions and publishes are given Observables (for marble tests of the timing). */
function fakeClient(responses: Obs<MqttMessage>, published: Obs<void>, version: 4 | 5 = 5) {
  const publishes: { topic: string; options: PublishOptions | undefined }[] = [];
  let subscribes = 0;
  const client = {
    protocolVersion: version,
    subscribe: () => {
      subscribes++;
      return responses;
    },
    publish: (topic: string, _payload: string | Uint8Array, options?: PublishOptions) => {
      publishes.push({ topic, options });
      return published;
    },
  } as unknown as MqttClient;
  return { client, publishes, subscribes: () => subscribes };
}

const response = (correlationData: Uint8Array | undefined, payload = 'pong'): MqttMessage =>
  ({ topic: 'r', payload: bytes(payload), qos: 1, retain: false, dup: false, params: undefined, properties: { correlationData }, text: () => payload }) as unknown as MqttMessage;

describe('request (marble)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits the response with its Correlation Data and completes; others are ignored', () => {
    scheduler.run(({ expectObservable }) => {
      const responses = new Subject<MqttMessage>();
      const { client, publishes } = fakeClient(responses, of(undefined));
      const result = request(client, 'rpc/ping', 'ping', { timeout: 100 });
      scheduler.schedule(() => {
        const mine = publishes[0]?.options?.properties?.correlationData as Uint8Array;
        responses.next(response(bytes('someone-else')));
        responses.next(response(mine, 'pong'));
      }, 5);
      expectObservable(result.pipe(map((m) => m.text()))).toBe('-----(p|)', { p: 'pong' });
    });
  });

  it('errors with TimeoutError REQUEST_TIMEOUT when no response comes within the timeout', () => {
    scheduler.run(({ expectObservable }) => {
      const { client } = fakeClient(NEVER, of(undefined));
      expectObservable(request(client, 'rpc/ping', 'ping', { timeout: 50 })).toBe(
        '50ms #',
        undefined,
        expect.objectContaining({ name: 'TimeoutError', code: 'REQUEST_TIMEOUT' }),
      );
    });
  });

  it('unsubscribing a pending request stops waiting and leaves the shared response subscription', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const responses = cold<MqttMessage>('-');
      const { client, subscribes } = fakeClient(responses, of(undefined));
      expectObservable(request(client, 'rpc/ping', 'a', { timeout: 1000 }), '^--!').toBe('---');
      expectObservable(request(client, 'rpc/ping', 'b', { timeout: 1000 }), '^----!').toBe('-----');
      // One subscription to the response topic, kept after both requests left.
      expectSubscriptions(responses.subscriptions).toBe('^');
      scheduler.schedule(() => expect(subscribes()).toBe(1), 10);
    });
  });

  it('errors with the publish error of the request', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = fakeClient(NEVER, cold<void>('--#', undefined, new Error('publish refused')));
      expectObservable(request(client, 'rpc/ping', 'x')).toBe('--#', undefined, new Error('publish refused'));
    });
  });

  it('refuses MQTT 3.1.1 clients, invalid topics and timeouts', () => {
    const v4 = fakeClient(EMPTY, EMPTY, 4).client;
    const v5 = fakeClient(EMPTY, EMPTY).client;
    expect(() => request(v4, 't', 'x')).toThrow(/request\(\) needs MQTT 5/);
    expect(() => respond(v4, 't', () => 'x')).toThrow(InvalidArgumentError);
    expect(() => request(v5, 'a/+', 'x')).toThrow(InvalidArgumentError);
    expect(() => request(v5, 't', 'x', { timeout: 0 })).toThrow(/options.timeout/);
    expect(() => respond(v5, 't', 'nope' as never)).toThrow(/handler/);
  });
});

afterEach(closeScriptedClients);

describe('request and respond (exact packets)', () => {
  it('request: SUBSCRIBE to the response topic once, then PUBLISH with Response Topic and Correlation Data; a second request shares it', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    const first = new Promise<MqttMessage>((resolve, reject) => request(client, 'rpc/time', 'now?').subscribe({ next: resolve, error: reject }));
    const subscribe = await server.expect('subscribe');
    const responseTopic = subscribe.subscriptions[0]?.topicFilter ?? '';
    expect(responseTopic).toMatch(/^rxmqtt\/response\/[0-9a-f]{16}$/);
    server.send({ type: 'suback', packetId: subscribe.packetId, reasonCodes: [1] });
    const req = (await server.expect('publish')) as PublishPacket;
    expect(req).toMatchObject({ topic: 'rpc/time', qos: 1, properties: { responseTopic } });
    server.send({ type: 'puback', packetId: req.packetId ?? 0 });
    const correlationData = req.properties?.correlationData as Uint8Array;
    server.send({ type: 'publish', topic: responseTopic, payload: bytes('12:00'), qos: 0, retain: false, dup: false, properties: { correlationData } });
    expect((await first).text()).toBe('12:00');
    // The second request: no second SUBSCRIBE, a different Correlation Data.
    request(client, 'rpc/time', 'again').subscribe({ error: () => undefined });
    const second = (await server.expect('publish')) as PublishPacket;
    expect(second.properties?.responseTopic).toBe(responseTopic);
    expect(text(second.properties?.correlationData as Uint8Array)).not.toBe(text(correlationData));
  });

  it('respond: answers to the Response Topic with the Correlation Data copied; ignores requests without one', async () => {
    const { client, server } = await connectedPair({ protocolVersion: 5 });
    const served: string[] = [];
    respond(client, 'rpc/+', (m) => of(`re:${m.text()}`)).subscribe((m) => served.push(m.text()));
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [1] });
    server.send({ type: 'publish', topic: 'rpc/a', payload: bytes('no reply wanted'), qos: 0, retain: false, dup: false });
    const correlationData = bytes('c-1');
    server.send({ type: 'publish', topic: 'rpc/a', payload: bytes('hi'), qos: 0, retain: false, dup: false, properties: { responseTopic: 'back/here', correlationData } });
    const reply = (await server.expect('publish')) as PublishPacket;
    expect(reply).toMatchObject({ topic: 'back/here', qos: 1 });
    expect(text(reply.payload)).toBe('re:hi');
    expect(text(reply.properties?.correlationData as Uint8Array)).toBe('c-1');
    server.send({ type: 'puback', packetId: reply.packetId ?? 0 });
    await new Promise((r) => setTimeout(r, 20));
    expect(served).toEqual(['hi']);
  });
});
