/**
 * Test helpers for integration suites that drive the rxmqtt client: bounded collection of
 * messages, a broker-side ordering barrier, unique topics and state waits.
 */
import { Observable, filter, firstValueFrom, take, timeout, toArray } from 'rxjs';

/** The parts of the client these helpers need (structural, so they work with either entry point). */
export interface BarrierClient {
  publishAsync(topic: string, payload: string | Uint8Array, options?: { qos?: 0 | 1 | 2 }): Promise<void>;
}

let counter = 0;

/** A topic no other test uses: `prefix/<pid>-<n>-<random>`. */
export function uniqueTopic(prefix: string): string {
  counter += 1;
  return `${prefix}/${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Resolves with the first `count` values of `source`, or rejects with a TimeoutError (rxjs) after
 * `ms` when fewer arrived. Subscribes immediately: call it before causing the values.
 */
export function collect<T>(source: Observable<T>, count: number, ms = 10000): Promise<T[]> {
  return firstValueFrom(source.pipe(take(count), toArray(), timeout(ms)));
}

/**
 * Waits until the broker has processed everything this client sent before: publishes a QoS 1
 * message to a private topic and waits for its PUBACK. MQTT keeps the order of packets on one
 * connection and Mosquitto handles them in that order, so a SUBSCRIBE sent earlier is in force (and
 * the retained messages it triggered were sent) when this resolves.
 */
export async function barrier(client: BarrierClient): Promise<void> {
  await client.publishAsync(uniqueTopic('barrier'), '', { qos: 1 });
}

/** Resolves with the first state (replayed or future) whose status is `status`. */
export function stateOf<S extends { readonly status: string }>(
  client: { readonly state$: Observable<S> },
  status: S['status'],
  ms = 10000,
): Promise<S> {
  return firstValueFrom(client.state$.pipe(filter((s) => s.status === status), take(1), timeout(ms)));
}

/** Rejects after `ms` with `what` in the message unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
