/**
 * The programs in examples/ run against the embedded broker, as a user would run them: the
 * at-least-once worker pair on a shared subscription, the sensor pipeline, the MQTT.js program and
 * its rxmqtt translation (same output), and the browser page in headless Chromium.
 */
import { join } from 'node:path';
import { firstValueFrom, merge, take, toArray } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { connectAsync } from '../../lib/node/index.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { JobTable, startWorker } from '../../examples/at-least-once-worker.js';
import { temperatureAlerts } from '../../examples/sensor-pipeline.js';
import { run as runMqttJs } from '../../examples/from-mqtt-js-before.js';
import { run as runRxmqtt } from '../../examples/from-mqtt-js-after.js';
import { bundleForBrowser, describeWithChromium, launchChromium, servePages } from '../helpers/chromium.js';
import { uniqueTopic } from '../helpers/client-utils.js';
import { readFileSync } from 'node:fs';

jest.setTimeout(60_000);

const root = join(__dirname, '..', '..');
let broker: BrokerHandle;
const clients: MqttClient[] = [];
beforeAll(async () => {
  broker = await startBroker({ port: 0, websocket: { port: 0 } });
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
  await broker?.close();
});
async function publisher(): Promise<MqttClient> {
  const c = await connectAsync(broker.url);
  clients.push(c);
  return c;
}

describe('examples/at-least-once-worker.ts', () => {
  it('two workers in a share group process 200 jobs between them, each once', async () => {
    const table = new JobTable();
    const workers = [startWorker(broker.url, `worker-a-${process.pid}`, table), startWorker(broker.url, `worker-b-${process.pid}`, table)];
    const processed = firstValueFrom(merge(...workers.map((w) => w.processed$)).pipe(take(200), toArray()));
    const pub = await publisher();
    // The share group is in force once each worker's subscription round trip is back.
    await Promise.all(workers.map((w) => w.client.publishAsync(`barrier/${w.client.clientId}`, '', { qos: 1 })));
    // A malformed job first: it is skipped (and acknowledged), so it holds back none of the jobs
    // behind it, even with each worker's window of 20 unacknowledged messages.
    await pub.publishAsync('jobs/resize', 'not json', { qos: 1 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => pub.publishAsync(`jobs/resize`, JSON.stringify({ id: `job-${i}`, work: i }), { qos: 1 })));
    const ids = await processed;
    expect(new Set(ids).size).toBe(200);
    expect(table.rows.size).toBe(200);
    expect(table.rows.get('job-7')?.result).toBe(14);
    const byWorker = new Set([...table.rows.values()].map((r) => r.worker));
    expect(byWorker.size).toBe(2); // the broker shared the jobs out
    await Promise.all(workers.map((w) => w.stop()));
  });
});

describe('examples/sensor-pipeline.ts', () => {
  it('alerts for the sensor whose average passes the threshold, and not for the others', async () => {
    const watcher = await connectAsync(broker.url);
    clients.push(watcher);
    const alerts = firstValueFrom(temperatureAlerts(watcher, { threshold: 25, window: 3, debounceMs: 50 }).pipe(take(1), toArray()));
    await watcher.publishAsync('barrier/pipeline', '', { qos: 1 });
    const pub = await publisher();
    const send = (id: string, celsius: readonly number[]) =>
      Promise.all(celsius.map((c, seq) => pub.publishAsync(`sensors/${id}/temperature`, JSON.stringify({ seq, celsius: c }), { qos: 1 })));
    await send('cool', [20, 21, 20.5, 21]);
    await send('hot', [24, 26, 27, 28, 28.5]);
    // Which window the debounce settles on depends on how the readings spread in time; the three
    // windows of 'hot' average 25.67, 27 and 27.83, all above the threshold. 'cool' never alerts.
    const [alert] = await alerts;
    expect(alert?.sensor).toBe('hot');
    expect([25.67, 27, 27.83]).toContain(alert?.average);
  });
});

describe('examples/from-mqtt-js-*.ts', () => {
  it('the MQTT.js program and its rxmqtt translation print the same lines', async () => {
    const before = await runMqttJs(broker.url, uniqueTopic('example/before'), 3);
    const after = await runRxmqtt(broker.url, uniqueTopic('example/after'), 3);
    const strip = (lines: string[]) => lines.map((l) => l.replace(/^[^:]*\/(\d+): /, '$1: ')).sort();
    expect(strip(after)).toEqual(strip(before));
    expect(strip(after)).toEqual(['1: reading 1', '2: reading 2', '3: reading 3']);
  });
});

describeWithChromium('examples/browser-page', () => {
  it('shows live readings in the page', async () => {
    const bundle = await bundleForBrowser(join(root, 'examples', 'browser-page', 'main.ts'), { alias: { rxmqtt: join(root, 'lib', 'index.ts') } });
    const pages = await servePages({
      '/': ['text/html', readFileSync(join(root, 'examples', 'browser-page', 'index.html'), 'utf8')],
      '/main.js': ['text/javascript', bundle],
    });
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      await page.goto(`${pages.origin}/?broker=${encodeURIComponent(`ws://127.0.0.1:${broker.wsPort}`)}`);
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'connected');
      // A retained reading reaches the page whether its SUBSCRIBE is processed before or after it.
      const pub = await publisher();
      await pub.publishAsync('sensors/kitchen/temperature', JSON.stringify({ seq: 4, celsius: 21.25 }), { qos: 1, retain: true });
      await page.waitForSelector('tr[data-sensor="kitchen"]', { timeout: 20_000 });
      await pub.publishAsync('sensors/kitchen/temperature', '', { qos: 1, retain: true }); // clears it
      const cells = await page.$$eval('tr[data-sensor="kitchen"] td', (tds) => tds.map((td) => td.textContent));
      expect(cells[0]).toBe('kitchen');
      expect(cells).toEqual(['kitchen', '21.25', '4']);
    } finally {
      await chromium.close();
      await pages.close();
    }
  });
});
