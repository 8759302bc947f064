/**
 * Example: a declarative sensor pipeline.
 *
 * Readings arrive as JSON `{"seq": n, "celsius": t}` on `sensors/<id>/temperature`. The pipeline
 * groups them by sensor (the topic pattern's `id`), averages each sensor's readings over a sliding
 * window, and raises an alert when a sensor's average passes a threshold. The hot/cold state is
 * debounced (it must hold for `debounceMs`) and only a change to hot alerts, so a sensor hovering
 * around the threshold does not flood the operator.
 *
 * Run it against a broker that the demo sensors publish to (`rxmqtt demo` does both):
 *   npx tsx examples/sensor-pipeline.ts mqtt://127.0.0.1:1884
 */
import { bufferCount, debounceTime, distinctUntilChanged, filter, groupBy, map, mergeMap, type Observable } from 'rxjs';
import { connect, type MqttClient } from 'rxmqtt/node';
import { json, topicPattern } from 'rxmqtt';

const readings = topicPattern('sensors/:id/temperature');

interface Reading {
  readonly seq: number;
  readonly celsius: number;
}
const isReading = (v: unknown): v is Reading => typeof (v as Reading | null)?.celsius === 'number' && typeof (v as Reading).seq === 'number';

/** What the pipeline reports. */
export interface Alert {
  readonly sensor: string;
  /** The average of the last `window` readings. */
  readonly average: number;
}

export interface PipelineOptions {
  /** Degrees Celsius above which a sensor's average raises an alert. */
  readonly threshold: number;
  /** Readings averaged together (a sliding window). Default 5. */
  readonly window?: number;
  /** An alert waits this long for the average to settle (debounce). Default 200 ms. */
  readonly debounceMs?: number;
}

/** The pipeline: cold, subscribing subscribes to the sensors (and unsubscribing unsubscribes). */
export function temperatureAlerts(client: MqttClient, options: PipelineOptions): Observable<Alert> {
  const size = options.window ?? 5;
  return client.subscribe(readings, { qos: 1 }).pipe(
    json(isReading, { invalid: 'skip' }),
    groupBy((m) => m.params.id),
    mergeMap((sensor) =>
      sensor.pipe(
        bufferCount(size, 1),
        filter((window) => window.length === size),
        map((window) => window.reduce((sum, m) => sum + m.value.celsius, 0) / size),
        map((average) => ({ sensor: sensor.key, average: Math.round(average * 100) / 100, hot: average > options.threshold })),
        debounceTime(options.debounceMs ?? 200),
        distinctUntilChanged((a, b) => a.hot === b.hot),
        filter((s) => s.hot),
        map(({ sensor: id, average }) => ({ sensor: id, average })),
      ),
    ),
  );
}

if (require.main === module) {
  const [url = 'mqtt://127.0.0.1:1883'] = process.argv.slice(2);
  const client = connect(url);
  temperatureAlerts(client, { threshold: 25 }).subscribe((a) => console.log(`ALERT ${a.sensor}: average ${a.average} °C`));
  process.once('SIGINT', () => void client.disconnect());
}
