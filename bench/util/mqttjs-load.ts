/**
 * The load both broker benchmarks drive: one MQTT.js publisher and one MQTT.js subscriber (3.1.1)
 * through the broker on `port`, at most `inFlight` publishes outstanding.
 */
import mqtt from 'mqtt';

export interface MqttJsLoadOptions {
  readonly port: number;
  readonly qos: 0 | 1 | 2;
  readonly count: number;
  readonly topic: string;
  readonly payloadBytes: number;
  readonly inFlight: number;
  readonly timeoutMs: number;
  /** The subscriber keeps a session (Clean Session 0). Default false. */
  readonly persistentSubscriber?: boolean;
}

/** Runs the load; resolves with the seconds from the first publish to the last delivery. */
export async function mqttJsLoad(o: MqttJsLoadOptions): Promise<number> {
  const url = `mqtt://127.0.0.1:${o.port}`;
  const options = { protocolVersion: 4 as const, reconnectPeriod: 0 };
  const [publisher, subscriber] = await Promise.all([
    mqtt.connectAsync(url, { ...options, clientId: 'bench-pub' }),
    mqtt.connectAsync(url, { ...options, clientId: 'bench-sub', ...(o.persistentSubscriber ? { clean: false } : {}) }),
  ]);
  let received = 0;
  let onAll: () => void = () => undefined;
  const all = new Promise<void>((resolve, reject) => {
    onAll = resolve;
    setTimeout(() => reject(new Error(`only ${received} of ${o.count} messages arrived`)), o.timeoutMs).unref();
  });
  subscriber.on('message', () => {
    if (++received === o.count) onAll();
  });
  await subscriber.subscribeAsync(o.topic, { qos: o.qos });
  const payload = Buffer.alloc(o.payloadBytes, 0x61);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let completed = 0;
    let outstanding = 0;
    const pump = (): void => {
      while (outstanding < o.inFlight && sent < o.count) {
        sent++;
        outstanding++;
        publisher.publish(o.topic, payload, { qos: o.qos }, (error) => {
          if (error) return reject(error);
          outstanding--;
          if (++completed === o.count) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  await all;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([publisher.endAsync(true), subscriber.endAsync(true)]);
  return seconds;
}
