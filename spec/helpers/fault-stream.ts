/**
 * Test harness for the resilience suites: streams numbered messages from one reconnecting client to
 * another through a broker while a test injects faults, and counts what arrived how often.
 */
import type { QoS } from '../../lib/codec/packet.js';
import type { ClientState, MqttClient } from '../../lib/client/mqtt-client.js';
import { connect, type NodeClientOptions } from '../../lib/node/connect.js';
import { stateOf, uniqueTopic, within } from './client-utils.js';

export interface FaultStreamOptions {
  /** Where the publisher and the subscriber connect (usually a fault proxy). */
  readonly url: string;
  readonly qos: 1 | 2;
  readonly count: number;
  readonly protocolVersion: 4 | 5;
  /** Most publishes outstanding at once (the application's own flow control). Default 1000. */
  readonly window?: number;
  /** Called after each acknowledged publish with the number acknowledged so far. */
  readonly onAcknowledged?: (acknowledged: number) => void | Promise<void>;
  /** Longest time for the whole stream, in milliseconds. Default 45 000. */
  readonly timeoutMs?: number;
}

export interface FaultStreamResult {
  readonly count: number;
  /** Indexes that never arrived. */
  readonly lost: number[];
  /** Messages delivered more than once, and the surplus deliveries. */
  readonly duplicated: number;
  /** The indexes (payloads) delivered more than once. */
  readonly duplicatedIndexes: number[];
  readonly surplus: number;
  /** Repeated deliveries of a message that the broker sent without the DUP flag. */
  readonly repeatedWithoutDup: number;
  /** The client ids of the two clients (to find their links in a proxy trace). */
  readonly subscriberId: string;
  readonly publisherId: string;
  /** How often each client went through `reconnecting`. */
  readonly publisherReconnects: number;
  readonly subscriberReconnects: number;
  readonly ms: number;
}

/** Options of a client that keeps its session across connections and reconnects at once. */
export function persistentClientOptions(clientId: string, protocolVersion: 4 | 5): NodeClientOptions {
  return {
    clientId,
    protocolVersion,
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
    keepalive: 10,
    connectTimeout: 5000,
    reconnect: { minDelay: 5, maxDelay: 200 },
    offlineQueue: { maxMessages: 100_000, maxBytes: 64 * 1024 * 1024 },
  } as NodeClientOptions;
}

function countReconnects(client: MqttClient): { readonly value: number } {
  const counter = { value: 0 };
  client.state$.subscribe((s: ClientState) => {
    if ((s.status as string) === 'reconnecting') counter.value++;
  });
  return counter;
}

/**
 * Runs the stream: subscribes (QoS `qos`), publishes `count` messages with at most `window`
 * outstanding, publishes an end marker once all are acknowledged, and waits for the marker and for
 * every index (QoS 1 and 2 both promise at least once). Disconnects both clients at the end.
 */
export async function runFaultStream(options: FaultStreamOptions): Promise<FaultStreamResult> {
  const started = Date.now();
  const { url, qos, count, protocolVersion } = options;
  const window = options.window ?? 1000;
  const topic = uniqueTopic(`resilience/qos${qos}`);
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const subscriber = connect(url, persistentClientOptions(`sub-${tag}`, protocolVersion));
  const publisher = connect(url, persistentClientOptions(`pub-${tag}`, protocolVersion));
  const subscriberReconnects = countReconnects(subscriber);
  const publisherReconnects = countReconnects(publisher);
  const received = new Uint32Array(count);
  let distinct = 0;
  let onComplete: () => void = () => undefined;
  let endSeen = false;
  let repeatedWithoutDup = 0;
  const complete = new Promise<void>((resolve) => (onComplete = resolve));
  const check = (): void => {
    if (endSeen && distinct === count) onComplete();
  };
  try {
    await stateOf(subscriber, 'connected', 10_000);
    await stateOf(publisher, 'connected', 10_000);
    const failed = new Promise<never>((_, reject) => {
      subscriber.subscribe(topic, { qos: qos as QoS }).subscribe({
        next: (m) => {
          const body = m.text();
          if (body === 'end') endSeen = true;
          else {
            const index = Number(body);
            if (received[index] > 0 && !m.dup) repeatedWithoutDup++;
            if (received[index]++ === 0) distinct++;
          }
          check();
        },
        error: reject,
      });
    });
    failed.catch(() => undefined);
    await subscriber.publishAsync(`${topic}/barrier`, '', { qos: 1 }); // the subscription is in force
    let next = 0;
    let acknowledged = 0;
    const publishAll = new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        while (next < count && next - acknowledged < window) {
          const index = next++;
          publisher.publishAsync(topic, String(index), { qos: qos as QoS }).then(async () => {
            acknowledged++;
            await options.onAcknowledged?.(acknowledged);
            if (acknowledged === count) resolve();
            else pump();
          }, reject);
        }
      };
      pump();
    });
    const deadline = options.timeoutMs ?? 45_000;
    await within(Promise.race([publishAll, failed]), deadline, `acknowledgement of ${count} QoS ${qos} publishes`);
    await within(publisher.publishAsync(topic, 'end', { qos: qos as QoS }), 10_000, 'the end marker');
    // Missing messages show up as `lost` in the result rather than as a timeout here.
    await within(Promise.race([complete, failed]), 15_000, 'delivery').catch((error: unknown) => {
      if (!(error instanceof Error && error.message.startsWith('delivery: not done'))) throw error;
    });
  } finally {
    await Promise.all([subscriber.disconnect({ timeout: 2000 }), publisher.disconnect({ timeout: 2000 })]).catch(() => undefined);
  }
  const lost: number[] = [];
  const duplicatedIndexes: number[] = [];
  let duplicated = 0;
  let surplus = 0;
  for (let i = 0; i < count; i++) {
    if (received[i] === 0) lost.push(i);
    if (received[i] > 1) {
      duplicated++;
      duplicatedIndexes.push(i);
      surplus += received[i] - 1;
    }
  }
  return {
    count,
    lost,
    duplicated,
    duplicatedIndexes,
    surplus,
    repeatedWithoutDup,
    subscriberId: `sub-${tag}`,
    publisherId: `pub-${tag}`,
    publisherReconnects: publisherReconnects.value,
    subscriberReconnects: subscriberReconnects.value,
    ms: Date.now() - started,
  };
}
