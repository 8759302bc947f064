import { topicPattern } from 'rxmqtt';

/** Where the demo's simulated sensors publish: `{"seq":n,"celsius":t}` at QoS 1 (rxmqtt demo). */
export const SENSOR_TEMPERATURE = topicPattern('sensors/:id/temperature');

/** One reading as the sensors publish it. */
export interface Reading {
  readonly seq: number;
  readonly celsius: number;
}

/** A JSON guard: the payload has the reading's shape. */
export function isReading(value: unknown): value is Reading {
  const v = value as Partial<Reading> | null;
  return typeof v === 'object' && v !== null && typeof v.seq === 'number' && typeof v.celsius === 'number';
}

/** The broker's WebSocket URL: `?broker=ws://host:port` or ws://<this host>:8080. */
export function brokerUrl(): string {
  return new URLSearchParams(location.search).get('broker') ?? `ws://${location.hostname}:8080`;
}
