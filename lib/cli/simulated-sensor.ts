import { type Observable, endWith, ignoreElements, interval, mergeMap, take } from 'rxjs';
import type { CliClient } from './cli-deps.js';

/** Settings of one {@link simulatedSensor}. */
export interface SimulatedSensorOptions {
  /** The sensor id; readings go to `sensors/<id>/temperature`. */
  readonly id: string;
  /** Base temperature in degrees Celsius. */
  readonly base: number;
  /** Degrees added in a straight line from the first reading to the last (a sensor that heats up). */
  readonly drift: number;
  /** Milliseconds between readings. */
  readonly intervalMs: number;
  /** How many readings to publish. */
  readonly readings: number;
  /** Random numbers in [0, 1) for measurement noise (default Math.random). */
  readonly random?: () => number;
}

/**
 * The temperature a simulated sensor reads at reading `seq` of `readings`: base, plus its share of
 * the drift, plus up to ±0.5 degrees of noise; two decimals.
 *
 * @example
 * ```ts
 * temperature({ base: 20, drift: 10, readings: 11 }, 10, () => 0.5); // 30
 * ```
 */
export function temperature(options: Pick<SimulatedSensorOptions, 'base' | 'drift' | 'readings'>, seq: number, random: () => number): number {
  const progress = options.readings <= 1 ? 0 : seq / (options.readings - 1);
  const value = options.base + options.drift * progress + (random() - 0.5);
  return Math.round(value * 100) / 100;
}

/**
 * A simulated temperature sensor. Cold: on subscribe it publishes `options.readings` readings, one
 * every `intervalMs`, at QoS 1 to `sensors/<id>/temperature` as JSON `{"seq":n,"celsius":t}`, and
 * emits each sequence number once the broker acknowledged it (PUBACK). It completes after the last
 * acknowledgement and errors when a publish fails. Unsubscribing stops publishing; readings already
 * handed to the client may still be delivered.
 *
 * @example
 * ```ts
 * simulatedSensor(client, { id: 's1', base: 21, drift: 0, intervalMs: 250, readings: 20 })
 *   .subscribe((seq) => acknowledged.push(seq));
 * ```
 */
export function simulatedSensor(client: CliClient, options: SimulatedSensorOptions): Observable<number> {
  const random = options.random ?? Math.random;
  const topic = `sensors/${options.id}/temperature`;
  return interval(options.intervalMs).pipe(
    take(options.readings),
    mergeMap((seq) =>
      client
        .publish(topic, JSON.stringify({ seq, celsius: temperature(options, seq, random) }), { qos: 1, retain: false })
        // Whether or not publish emits before completing, the acknowledgement is its completion.
        .pipe(ignoreElements(), endWith(seq)),
    ),
  );
}
