import { type OperatorFunction, type SchedulerLike, asyncScheduler, bufferTime, filter, groupBy, map, mergeMap, pipe } from 'rxjs';

/** One temperature reading as the demo's sensors publish it (JSON on `sensors/<id>/temperature`). */
export interface Reading {
  readonly sensor: string;
  /** Counts 0, 1, 2, ... per sensor; lets the receiver detect loss and duplicates. */
  readonly seq: number;
  readonly celsius: number;
}

/** Statistics of one sensor over one time window. */
export interface SensorWindow {
  readonly sensor: string;
  readonly count: number;
  readonly average: number;
  readonly min: number;
  readonly max: number;
  /** The window's average is above the threshold. */
  readonly alert: boolean;
}

/** Options of {@link sensorWindows}. */
export interface SensorWindowOptions {
  /** Window length in milliseconds. */
  readonly windowMs: number;
  /** An average strictly above this many degrees Celsius raises an alert. */
  readonly threshold: number;
  /** Scheduler for the windows (virtual time in tests). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

const TOPIC = /^sensors\/([^/]+)\/temperature$/;

/**
 * Reads a {@link Reading} from a message on `sensors/<id>/temperature` whose payload is JSON
 * `{"seq": 3, "celsius": 21.5}`. Returns undefined for any other topic or a malformed payload, so a
 * stray publish cannot stop the pipeline.
 *
 * @example
 * ```ts
 * parseReading('sensors/s1/temperature', '{"seq":0,"celsius":21.5}'); // { sensor: 's1', seq: 0, celsius: 21.5 }
 * ```
 */
export function parseReading(topic: string, text: string): Reading | undefined {
  const match = TOPIC.exec(topic);
  if (match === null) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { seq, celsius } = body as { seq?: unknown; celsius?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof celsius !== 'number' || !Number.isFinite(celsius)) return undefined;
  return { sensor: match[1]!, seq, celsius };
}

/**
 * The demo's analysis as one operator: group readings by sensor, cut each sensor's stream into
 * windows of `windowMs`, and emit per non-empty window the count, average, min, max and whether the
 * average is above `threshold`.
 *
 * Cold and pure: it holds no state outside a subscription. Each sensor's windows start with its
 * first reading. When the source completes, every sensor's last partial window is emitted, then the
 * output completes; unsubscribing drops the open windows.
 *
 * @example
 * ```ts
 * readings$.pipe(sensorWindows({ windowMs: 1000, threshold: 30 }))
 *   .subscribe((w) => console.log(w.sensor, w.average.toFixed(1), w.alert ? 'ALERT' : ''));
 * ```
 */
export function sensorWindows(options: SensorWindowOptions): OperatorFunction<Reading, SensorWindow> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return pipe(
    groupBy((reading: Reading) => reading.sensor),
    mergeMap((group) =>
      group.pipe(
        bufferTime(options.windowMs, scheduler),
        filter((buffer) => buffer.length > 0),
        map((buffer) => summarize(group.key, buffer, options.threshold)),
      ),
    ),
  );
}

function summarize(sensor: string, readings: readonly Reading[], threshold: number): SensorWindow {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const { celsius } of readings) {
    sum += celsius;
    if (celsius < min) min = celsius;
    if (celsius > max) max = celsius;
  }
  const average = sum / readings.length;
  return { sensor, count: readings.length, average, min, max, alert: average > threshold };
}
