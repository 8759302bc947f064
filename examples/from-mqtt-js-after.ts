/**
 * Example, the "after" half of a translation: examples/from-mqtt-js-before.ts written with rxmqtt.
 *
 * - `mqtt.connect` + `on('connect')` + `on('error')`: `connect(url)`; the subscription waits for
 *   the connection by itself, and errors arrive in the Observable that the operation belongs to.
 * - `client.subscribe(filter, cb)` + `on('message')`: `client.subscribe(filter)` is an Observable
 *   of messages; unsubscribing from it sends UNSUBSCRIBE.
 * - `client.publish(..., { qos: 1 })`: `publish` is cold and completes on the PUBACK.
 * - `client.end()`: `disconnect()`, a Promise that waits for in-flight messages.
 */
import { firstValueFrom, map, merge, take, toArray, ignoreElements, mergeMap, range } from 'rxjs';
import { connect } from 'rxmqtt/node';

export async function run(url: string, topic: string, count: number): Promise<string[]> {
  const client = connect(url);
  const received = client.subscribe(`${topic}/#`, { qos: 1 }).pipe(
    map((m) => `${m.topic}: ${m.text()}`),
    take(count),
  );
  // Publish once the subscription is in force: a QoS 1 round trip on the same connection after it.
  const published = client.publish(`barrier/${topic}`, '', { qos: 1 }).pipe(
    mergeMap(() => range(1, count)),
    mergeMap((i) => client.publish(`${topic}/${i}`, `reading ${i}`, { qos: 1 })),
    ignoreElements(),
  );
  try {
    return await firstValueFrom(merge(received, published).pipe(toArray()));
  } finally {
    await client.disconnect();
  }
}

if (require.main === module) {
  run(process.argv[2] ?? 'mqtt://127.0.0.1:1883', 'example/readings', 3).then((lines) => console.log(lines.join('\n')));
}
