/**
 * A half-open connection: the fault proxy stops forwarding but keeps both sockets open, so neither
 * the client nor Mosquitto is told. The client's keep alive (1 s) notices the silence, the client
 * reconnects, resumes its persistent session and gets the message the broker sent into the void.
 */
import type { ClientState } from '../../lib/client/mqtt-client.js';
import { connect, connectAsync } from '../../lib/node/connect.js';
import { collect, stateOf, uniqueTopic, within } from '../helpers/client-utils.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { persistentClientOptions } from '../helpers/fault-stream.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';

jest.setTimeout(30_000);

describeWithMosquitto('resilience: half-open connection (Mosquitto)', () => {
  let mosquitto: MosquittoInstance;
  let proxy: FaultProxy;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    proxy = await startFaultProxy({ targetPort: mosquitto.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await mosquitto?.dispose();
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`is detected by keep alive and recovered by reconnect (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, async () => {
      const started = Date.now();
      const topic = uniqueTopic('half-open');
      const subscriber = connect(proxy.url, {
        ...persistentClientOptions(`half-open-${protocolVersion}-${process.pid}`, protocolVersion),
        keepalive: 1,
        pingTimeout: 500,
      });
      const publisher = await connectAsync(mosquitto.url, { protocolVersion }); // directly, not through the proxy
      const states: ClientState[] = [];
      const timeline: string[] = [];
      subscriber.state$.subscribe((s) => {
        states.push(s);
        const cause = s.status === 'reconnecting' ? ` (${s.cause.code})` : '';
        timeline.push(`${Date.now() - started}ms ${s.status}${cause}`);
      });
      const step = (what: string): void => void timeline.push(`${Date.now() - started}ms -- ${what}`);
      try {
        await stateOf(subscriber, 'connected');
        const messages = subscriber.subscribe(topic, { qos: 1 });
        const firstThree = collect(messages, 3, 20_000);
        await subscriber.publishAsync(`${topic}/barrier`, '', { qos: 1 });
        // Listen before publishing: the delivery can reach the subscriber before the publisher's
        // PUBACK resolves publishAsync, and an observer added after it would miss 'before'.
        const before = collect(messages, 1, 10_000);
        await publisher.publishAsync(topic, 'before', { qos: 1 });
        await within(before, 10_000, "'before' at the subscriber");
        step("'before' received");
        // The subscriber's PUBACK for 'before' has passed the proxy once this round trip is back.
        await subscriber.publishAsync(`${topic}/barrier`, '', { qos: 1 });

        step('freeze');
        expect(proxy.freeze()).toBe(1); // the subscriber's only connection
        const openBefore = proxy.open;
        await publisher.publishAsync(topic, 'into the void', { qos: 1 }); // Mosquitto sends it to the frozen link
        const lost = await within(
          new Promise<ClientState>((resolve) => subscriber.state$.subscribe((s) => s.status === 'reconnecting' && resolve(s))),
          10_000,
          'keep alive noticing the half-open connection',
        );
        step('reconnecting seen');
        expect(lost.status === 'reconnecting' && lost.cause.code).toBe('KEEPALIVE_TIMEOUT');
        await stateOf(subscriber, 'connected', 10_000); // the state after `reconnecting`: replayed or awaited
        step('connected again');
        await publisher.publishAsync(topic, 'after', { qos: 1 });
        const texts = (await firstThree).map((m) => m.text());
        expect(texts).toEqual(['before', 'into the void', 'after']);
        // The frozen link was never closed by the proxy: the old sockets stayed open (half-open).
        expect(openBefore).toBeGreaterThanOrEqual(1);
        console.log(
          `resilience half-open Mosquitto v${protocolVersion}: keepalive=1s pingTimeout=500ms detected=${lost.status} ` +
            `states=${states.map((s) => s.status).join('>')} ms=${Date.now() - started}`,
        );
      } catch (error) {
        // What the subscriber went through, to tell a race from a slow machine.
        console.log(`half-open v${protocolVersion} failed; timeline:\n${timeline.join('\n')}\n${mosquitto.log().slice(-2000)}`);
        throw error;
      } finally {
        await subscriber.disconnect({ timeout: 1000 });
        await publisher.disconnect({ timeout: 1000 });
      }
    });
  }
});
