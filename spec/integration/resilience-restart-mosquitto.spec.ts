/**
 * Mosquitto (persistence on) stopped and started again three times while 20 000 messages stream
 * between two reconnecting clients with persistent sessions: QoS 1 and 2 lose nothing.
 *
 * QoS 2 duplicates: Mosquitto 2.0 re-sends, after a restart, QoS 2 messages whose flow with the
 * subscriber had already completed (PUBCOMP sent). A receiver cannot tell such a PUBLISH from a new
 * one (its packet identifier was released), so every MQTT client delivers it again; an MQTT.js
 * subscriber with a persistent session runs beside ours as the reference. The test asserts that each
 * repeated delivery was a PUBLISH the broker re-sent (DUP set), and prints both counts.
 */
import mqtt from 'mqtt';
import { runFaultStream } from '../helpers/fault-stream.js';
import { within } from '../helpers/client-utils.js';
import { describeWithMosquitto, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';

jest.setTimeout(60_000);

describeWithMosquitto('resilience: broker restarts (Mosquitto with persistence)', () => {
  let mosquitto: MosquittoInstance;

  beforeAll(async () => {
    mosquitto = await startMosquitto({ persistence: true });
  });
  afterAll(async () => {
    await mosquitto?.dispose();
  });

  for (const [qos, protocolVersion] of [
    [1, 5],
    [2, 4],
  ] as const) {
    it(`QoS ${qos} over MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: nothing lost across 3 restarts`, async () => {
      const count = 20_000;
      // The reference subscriber: MQTT.js with a persistent session on the same broker.
      const reference = mqtt.connect(mosquitto.url, { clientId: `reference-${qos}-${process.pid}`, clean: false, reconnectPeriod: 20 });
      reference.on('error', () => undefined);
      const referenceSeen = new Map<string, number>();
      let referenceEnd: () => void = () => undefined;
      const referenceEnded = new Promise<void>((resolve) => (referenceEnd = resolve));
      reference.on('message', (topic, payload) => {
        if (payload.toString() === 'end') referenceEnd();
        const key = `${topic} ${payload.toString()}`;
        referenceSeen.set(key, (referenceSeen.get(key) ?? 0) + 1);
      });
      await within(new Promise((resolve) => reference.once('connect', resolve)), 10_000, 'MQTT.js connect');
      await within(new Promise((resolve) => reference.subscribe(`resilience/qos${qos}/#`, { qos }, resolve)), 10_000, 'MQTT.js subscribe');

      const restartAt = new Set([count * 0.25, count * 0.5, count * 0.75]);
      let restarts = Promise.resolve();
      let restarted = 0;
      const result = await runFaultStream({
        url: mosquitto.url,
        qos,
        count,
        protocolVersion,
        onAcknowledged: (acknowledged) => {
          if (!restartAt.has(acknowledged)) return;
          // One after the other, while the stream goes on.
          restarts = restarts.then(async () => {
            await mosquitto.restart();
            restarted++;
          });
        },
      });
      await restarts;
      await within(referenceEnded, 15_000, 'the end marker at the MQTT.js subscriber');
      reference.end(true);
      const referenceDuplicated = [...referenceSeen.entries()].filter(([key, n]) => !key.endsWith('/barrier ') && n > 1).length;
      console.log(
        `resilience restart Mosquitto QoS ${qos} v${protocolVersion}: messages=${result.count} restarts=${restarted} ` +
          `reconnects(pub/sub)=${result.publisherReconnects}/${result.subscriberReconnects} lost=${result.lost.length} ` +
          `duplicated=${result.duplicated} (re-sent by the broker with DUP: ${result.duplicated > 0 ? result.surplus - result.repeatedWithoutDup : 0}) ` +
          `mqttjsDuplicated=${referenceDuplicated} ms=${result.ms}`,
      );
      expect(restarted).toBe(3);
      expect(result.publisherReconnects).toBeGreaterThanOrEqual(3);
      expect(result.lost).toEqual([]);
      if (qos === 2) expect(result.repeatedWithoutDup).toBe(0);
    });
  }
});
