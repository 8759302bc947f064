/**
 * Connections cut at random moments (TCP resets from a fault proxy, anywhere in the byte stream)
 * while 20 000 messages stream from a reconnecting publisher to a reconnecting subscriber through
 * Mosquitto, both with persistent sessions: QoS 1 and 2 lose nothing, QoS 2 delivers nothing twice.
 */
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runFaultStream } from '../helpers/fault-stream.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';

jest.setTimeout(60_000);

describeWithMosquitto('resilience: connections cut at random moments (Mosquitto)', () => {
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

  for (const [qos, protocolVersion] of [
    [1, 4],
    [2, 5],
    [2, 4],
  ] as const) {
    it(`QoS ${qos} over MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: nothing lost${qos === 2 ? ', nothing twice' : ''}`, async () => {
      const cutsBefore = proxy.cuts;
      proxy.cutRandomly({ minBytes: 30_000, maxBytes: 120_000 });
      const result = await runFaultStream({ url: proxy.url, qos, count: 20_000, protocolVersion }).finally(() => proxy.stopCutting());
      const cuts = proxy.cuts - cutsBefore;
      console.log(
        `resilience proxy-cut Mosquitto QoS ${qos} v${protocolVersion}: messages=${result.count} cuts=${cuts} ` +
          `reconnects(pub/sub)=${result.publisherReconnects}/${result.subscriberReconnects} lost=${result.lost.length} ` +
          `duplicated=${result.duplicated} surplus=${result.surplus} repeatedWithoutDup=${result.repeatedWithoutDup} ms=${result.ms}`,
      );
      expect(cuts).toBeGreaterThanOrEqual(3);
      expect(result.lost).toEqual([]);
      if (qos === 2) expect(result.duplicated).toBe(0);
    });
  }
});
