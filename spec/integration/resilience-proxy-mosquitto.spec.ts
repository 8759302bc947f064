/**
 * Connections cut at random moments (TCP resets from a fault proxy, anywhere in the byte stream)
 * while 20 000 messages stream from a reconnecting publisher to a reconnecting subscriber through
 * Mosquitto, both with persistent sessions: QoS 1 and 2 lose nothing.
 *
 * QoS 2 delivers nothing twice that the client is to blame for. Mosquitto 2.0.11 sometimes resends
 * a PUBLISH after it has sent its PUBREL (two reconnects in quick succession; see
 * qos2-pubrel-resend.spec.ts and docs/reliability.md), and the client, which released the
 * identifier when it answered the PUBREL, must take that as a new message [MQTT-4.3.3-12]. The
 * proxy traces both hops; every duplicate must be one the trace shows the broker caused that way,
 * and any other fails the test with its packet sequence.
 */
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runFaultStream } from '../helpers/fault-stream.js';
import { brokerFaultFor, decodeTrace, messageStory } from '../helpers/wire-trace.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';

jest.setTimeout(60_000);

describeWithMosquitto('resilience: connections cut at random moments (Mosquitto)', () => {
  let mosquitto: MosquittoInstance;
  let proxy: FaultProxy;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    proxy = await startFaultProxy({ targetPort: mosquitto.port, trace: true });
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
      const traceFrom = proxy.trace().length;
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
      if (qos === 2) {
        const links = decodeTrace(proxy.trace().slice(traceFrom));
        const unexplained = result.duplicatedIndexes.filter((i) => brokerFaultFor(links, result.subscriberId, String(i)) === undefined);
        if (result.duplicated > 0) {
          console.log(`  ${result.duplicated - unexplained.length} of ${result.duplicated} duplicates: the broker resent PUBLISH after PUBREL`);
        }
        for (const i of unexplained.slice(0, 3)) {
          console.log([`message ${i}, subscriber side:`, ...messageStory(links, result.subscriberId, String(i))].join('\n'));
          console.log([`message ${i}, publisher side:`, ...messageStory(links, result.publisherId, String(i))].join('\n'));
        }
        expect(unexplained).toEqual([]);
      }
    });
  }
});
