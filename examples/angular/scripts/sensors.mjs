// The embedded broker with a WebSocket listener on ws://localhost:8080 (TCP on 1883), and the
// demo's simulated sensors publishing {"seq":n,"celsius":t} at QoS 1 to sensors/<id>/temperature
// every 500 ms, until Ctrl+C. For trying the dashboard: `npm run sensors`, then `npm start`.
import { merge } from 'rxjs';
import { startBroker } from 'rxmqtt/broker';
import { connectAsync } from 'rxmqtt/node';
// Not a public API: the demo's sensor, from this checkout's build.
import { simulatedSensor } from '../node_modules/rxmqtt/dist/esm/cli/simulated-sensor.js';

const wsPort = Number(process.env.WS_PORT ?? 8080);
const broker = await startBroker({ port: Number(process.env.PORT ?? 1883), websocket: { port: wsPort } });
const ids = ['sensor-1', 'sensor-2', 'sensor-3', 'sensor-4'];
const clients = await Promise.all(ids.map((id) => connectAsync(broker.url, { clientId: `example-${id}` })));
const sensors = merge(
  ...ids.map((id, k) => simulatedSensor(clients[k], { id, base: 19 + 1.5 * k, drift: k === ids.length - 1 ? 14 : 0, intervalMs: 500, readings: 1_000_000 })),
).subscribe({ error: (error) => console.error(error) });
console.log(`broker on ${broker.url} and ws://localhost:${wsPort}; ${ids.length} sensors publishing to sensors/<id>/temperature (Ctrl+C stops)`);
process.once('SIGINT', async () => {
  sensors.unsubscribe();
  await Promise.all(clients.map((c) => c.disconnect({ timeout: 500 })));
  await broker.close();
});
