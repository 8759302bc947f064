import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { connectAsync, type NodeClientOptions } from '../../lib/node/index.js';

/**
 * For a describe block of interop tests: `open(url, options)` connects an rxmqtt/node client (MQTT
 * 3.1.1 unless the options say otherwise), and every client opened is disconnected after each test.
 */
export function openedClients(): (url: string, options?: NodeClientOptions) => Promise<MqttClient> {
  const clients: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 1000 }).catch(() => undefined)));
  });
  return async (url, options = {}) => {
    const client = await connectAsync(url, { protocolVersion: 4, ...options });
    clients.push(client);
    return client;
  };
}
