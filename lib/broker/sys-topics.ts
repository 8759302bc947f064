import { brokerMessage } from './broker-message.js';
import type { BrokerCore } from './broker-core.js';

const encoder = new TextEncoder();

/** The `$SYS/broker/...` topics and how to read each from the broker (names as Mosquitto's). */
const TOPICS: readonly (readonly [string, (core: BrokerCore, startedAt: number) => number])[] = [
  ['$SYS/broker/uptime', (_, startedAt) => Math.floor((Date.now() - startedAt) / 1000)],
  ['$SYS/broker/clients/connected', (core) => core.connections.size],
  ['$SYS/broker/clients/disconnected', (core) => core.sessions.size - core.connections.size],
  ['$SYS/broker/clients/total', (core) => core.sessions.size],
  ['$SYS/broker/connections/refused', (core) => core.refusedConnections],
  ['$SYS/broker/messages/received', (core) => core.traffic.messagesReceived],
  ['$SYS/broker/messages/sent', (core) => core.traffic.messagesSent],
  ['$SYS/broker/messages/dropped', (core) => core.droppedMessages],
  ['$SYS/broker/bytes/received', (core) => core.traffic.bytesReceived],
  ['$SYS/broker/bytes/sent', (core) => core.traffic.bytesSent],
  ['$SYS/broker/retained messages/count', (core) => core.retained.size],
];

/**
 * Publishes the broker's statistics as retained QoS 0 messages under `$SYS/broker/`, at once and
 * then every `intervalSeconds`, each topic only when its value changed. Returns the function that
 * stops it. The timer does not keep the process alive.
 */
export function startSysTopics(core: BrokerCore, intervalSeconds: number): () => void {
  const startedAt = Date.now();
  const last = new Map<string, number>();
  const update = (): void => {
    if (core.closed) return;
    for (const [topic, read] of TOPICS) {
      const value = read(core, startedAt);
      if (last.get(topic) === value) continue;
      last.set(topic, value);
      core.route(brokerMessage(topic, encoder.encode(String(value)), 0, true, undefined, undefined, Date.now()));
    }
  };
  update();
  const timer = setInterval(update, intervalSeconds * 1000);
  timer.unref?.();
  return () => clearInterval(timer);
}
