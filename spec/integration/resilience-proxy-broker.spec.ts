/**
 * The proxy-cut test against the project's own broker: connections reset at random moments while
 * 20 000 messages stream between two reconnecting clients with persistent sessions. QoS 1 and 2
 * lose nothing; QoS 2 delivers nothing twice.
 */
import { startBroker, type BrokerHandle } from '../../lib/broker/start-broker.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runFaultStream } from '../helpers/fault-stream.js';

jest.setTimeout(60_000);

describe('resilience: connections cut at random moments (rxmqtt broker)', () => {
  let broker: BrokerHandle;
  let proxy: FaultProxy;

  beforeAll(async () => {
    // Like the Mosquitto harness (max_queued_messages 1000000): hold what a disconnected subscriber misses.
    broker = await startBroker({ port: 0, limits: { maxQueuedMessages: 100_000 } });
    proxy = await startFaultProxy({ targetPort: broker.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await broker?.close();
  });

  // QoS 2 over MQTT 5 also covers recovery: this broker answers a PUBREL resent after a reconnect,
  // whose flow it had already completed, with PUBCOMP 0x92, which completes the resumed publish.
  for (const [qos, protocolVersion] of [
    [1, 5],
    [2, 4],
    [2, 5],
  ] as const) {
    it(`QoS ${qos} over MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: nothing lost${qos === 2 ? ', nothing twice' : ''}`, async () => {
      const cutsBefore = proxy.cuts;
      proxy.cutRandomly({ minBytes: 30_000, maxBytes: 120_000 });
      const result = await runFaultStream({ url: proxy.url, qos, count: 20_000, protocolVersion }).finally(() => proxy.stopCutting());
      const cuts = proxy.cuts - cutsBefore;
      console.log(
        `resilience proxy-cut rxmqtt-broker QoS ${qos} v${protocolVersion}: messages=${result.count} cuts=${cuts} ` +
          `reconnects(pub/sub)=${result.publisherReconnects}/${result.subscriberReconnects} lost=${result.lost.length} ` +
          `duplicated=${result.duplicated} surplus=${result.surplus} repeatedWithoutDup=${result.repeatedWithoutDup} ms=${result.ms}`,
      );
      expect(cuts).toBeGreaterThanOrEqual(3);
      expect(result.lost).toEqual([]);
      if (qos === 2) expect(result.duplicated).toBe(0);
    });
  }
});
