/**
 * Example, the "before" half of a translation: a typical MQTT.js program. It subscribes to a
 * topic tree, publishes a few QoS 1 readings, prints what comes back, and ends after the last one.
 * examples/from-mqtt-js-after.ts is the same program with rxmqtt; docs/migrating-from-mqtt-js.md
 * explains the mapping.
 */
import { connect } from 'mqtt';

export function run(url: string, topic: string, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const client = connect(url, { reconnectPeriod: 1000 });
    client.on('error', reject);
    client.on('connect', () => {
      client.subscribe(`${topic}/#`, { qos: 1 }, (error) => {
        if (error) return reject(error);
        for (let i = 1; i <= count; i++) client.publish(`${topic}/${i}`, `reading ${i}`, { qos: 1 });
      });
    });
    client.on('message', (t, payload) => {
      lines.push(`${t}: ${payload.toString()}`);
      if (lines.length === count) client.end(false, {}, () => resolve(lines));
    });
  });
}

if (require.main === module) {
  run(process.argv[2] ?? 'mqtt://127.0.0.1:1883', 'example/readings', 3).then((lines) => console.log(lines.join('\n')));
}
