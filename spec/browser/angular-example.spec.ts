/**
 * examples/angular, built by the Angular CLI's esbuild builder and driven in headless Chromium: a
 * dashboard of the demo's simulated sensors over ws:// from the embedded broker. Both builds of the
 * app run: with zone.js and zoneless. Each must show live readings, become stable
 * (ApplicationRef.isStable) while connected, and recover after the broker restarts.
 *
 * The example has its own package.json and lockfile (Angular's toolchain is far heavier than the
 * root's dependencies): this suite runs `npm ci` there when its node_modules is missing or older
 * than its lockfile (about a minute and 280 MB with a warm npm cache), then `npm run build` (both
 * builds, about 20 s on two cores).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { Subscription, merge } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { connectAsync } from '../../lib/node/index.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { simulatedSensor } from '../../lib/cli/simulated-sensor.js';
import { describeWithChromium, launchChromium, servePages, type HeadlessChromium, type PageServer } from '../helpers/chromium.js';
import { freePort } from '../helpers/mosquitto.js';

const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'angular');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const SENSORS = ['sensor-1', 'sensor-2', 'sensor-3'];

function run(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      npm,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NG_CLI_ANALYTICS: 'false', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } },
      (error, stdout, stderr) => (error === null ? resolve() : reject(new Error(`npm ${args.join(' ')} in ${cwd} failed:\n${stdout}\n${stderr}`))),
    );
  });
}

/** npm ci in the example when its node_modules is missing or older than its lockfile. */
async function installExampleIfNeeded(): Promise<void> {
  const installed = join(example, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(example, 'package-lock.json')).mtimeMs) return;
  const started = Date.now();
  await run(['ci', '--no-audit', '--no-fund'], example);
  console.log(`examples/angular: npm ci took ${Math.round((Date.now() - started) / 1000)} s`);
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ico': 'image/x-icon', '.txt': 'text/plain' };

/** Every file of a build's browser/ folder, served at its path. */
function buildFiles(mode: 'zone' | 'zoneless'): Record<string, readonly [string, string]> {
  const dir = join(example, 'dist', mode, 'browser');
  const files: Record<string, readonly [string, string]> = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!statSync(join(dir, file)).isFile()) continue;
    files[`/${file}`] = [TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(join(dir, file), 'utf8')];
  }
  files['/'] = files['/index.html']!;
  // The browser asks for one; a 404 would be logged as a console error.
  files['/favicon.ico'] ??= ['image/x-icon', ''];
  return files;
}

interface Probe {
  readonly mode: string;
  readonly stable: boolean;
  readonly hasZone: boolean;
}

/** What the dashboard shows: the state, the readings count, the sensors' rows; and the app's probe. */
interface Seen {
  readonly state: string | null;
  readonly received: number;
  readonly sensors: string[];
  readonly probe: Probe | undefined;
}

const seen = (page: Page): Promise<Seen> =>
  page.evaluate(() => ({
    state: document.querySelector('.state')?.getAttribute('data-state') ?? null,
    received: Number(document.querySelector('.received')?.getAttribute('data-count') ?? 0),
    sensors: Array.from(document.querySelectorAll('tr.reading')).map((r) => r.getAttribute('data-sensor') ?? ''),
    probe: (globalThis as unknown as { rxmqttExample?: Probe }).rxmqttExample,
  }));

describeWithChromium('examples/angular in headless Chromium', () => {
  let chromium: HeadlessChromium;
  let broker: BrokerHandle;
  let wsPort: number;
  const servers: Partial<Record<'zone' | 'zoneless', PageServer>> = {};
  let sensorClients: MqttClient[] = [];
  let sensors = new Subscription();

  const startOurBroker = (): Promise<BrokerHandle> => startBroker({ port: 0, host: '127.0.0.1', websocket: { port: wsPort } });

  /** The demo's sensors (sensors/<id>/temperature, JSON, QoS 1) publishing every 200 ms until stopped. */
  async function startSensors(): Promise<void> {
    sensorClients = await Promise.all(SENSORS.map((id) => connectAsync(broker.url, { clientId: `example-${id}`, reconnect: false })));
    sensors = merge(
      ...SENSORS.map((id, k) => simulatedSensor(sensorClients[k]!, { id, base: 20 + 2 * k, drift: 0, intervalMs: 200, readings: 1_000_000 })),
    ).subscribe({ error: () => undefined });
  }

  async function stopSensors(): Promise<void> {
    sensors.unsubscribe();
    await Promise.all(sensorClients.splice(0).map((c) => c.disconnect({ timeout: 0 }).catch(() => undefined)));
  }

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'esm', 'angular', 'index.js'))) {
      throw new Error("dist/ is missing or old: run 'npm run build' first (npm test does it)");
    }
    await installExampleIfNeeded();
    await run(['run', 'build'], example);
    wsPort = await freePort();
    broker = await startOurBroker();
    await startSensors();
    servers.zone = await servePages(buildFiles('zone'));
    servers.zoneless = await servePages(buildFiles('zoneless'));
    chromium = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await stopSensors();
    await chromium?.close();
    await servers.zone?.close();
    await servers.zoneless?.close();
    await broker?.close();
  });

  describe.each(['zone', 'zoneless'] as const)('the %s build', (mode) => {
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      page = await chromium.browser.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      // Angular's ErrorHandler logs to console.error; the browser's own lines about a WebSocket
      // that could not connect (during the broker restart) are expected.
      page.on('console', (m) => {
        if (m.type() === 'error' && !/WebSocket connection to .* failed/.test(m.text())) errors.push(m.text());
      });
      await page.goto(`${servers[mode]!.origin}/?broker=ws://127.0.0.1:${wsPort}`);
    }, 60_000);

    afterAll(async () => {
      await page?.close();
    });

    it('shows live readings from every sensor, and ApplicationRef becomes stable while connected', async () => {
      await page.waitForFunction(
        (count: number) => {
          const probe = (globalThis as unknown as { rxmqttExample?: Probe }).rxmqttExample;
          return (
            document.querySelector('.state')?.getAttribute('data-state') === 'connected' &&
            document.querySelectorAll('tr.reading').length === count &&
            probe?.stable === true
          );
        },
        { timeout: 60_000 },
        SENSORS.length,
      );
      const first = await seen(page);
      expect(first.sensors).toEqual(SENSORS);
      expect(first.probe).toMatchObject({ mode, stable: true, hasZone: mode === 'zone' });
      // Live: more readings keep arriving and reach the view.
      await page.waitForFunction((n: number) => Number(document.querySelector('.received')?.getAttribute('data-count')) > n, { timeout: 60_000 }, first.received + SENSORS.length);
      const later = await seen(page);
      expect(later.state).toBe('connected');
      // Each reading schedules a render, so at one instant the app may be between a message and its
      // render; it must become stable again while messages keep coming (a socket or timer inside the
      // zone, or a pending task, would keep it unstable for good).
      await page.waitForFunction(() => (globalThis as unknown as { rxmqttExample?: Probe }).rxmqttExample?.stable === true, { timeout: 10_000 });
      expect(errors).toEqual([]);
    }, 120_000);

    it('recovers after the broker restarts: reconnects, subscribes again, shows new readings, becomes stable', async () => {
      await stopSensors();
      await broker.close();
      await page.waitForFunction(() => document.querySelector('.state')?.getAttribute('data-state') !== 'connected', { timeout: 60_000 });
      const during = await seen(page);
      expect(during.state).toMatch(/^(reconnecting|connecting)$/);
      broker = await startOurBroker();
      await startSensors();
      await page.waitForFunction(
        (n: number) =>
          document.querySelector('.state')?.getAttribute('data-state') === 'connected' &&
          Number(document.querySelector('.received')?.getAttribute('data-count')) > n &&
          (globalThis as unknown as { rxmqttExample?: Probe }).rxmqttExample?.stable === true,
        { timeout: 60_000 },
        during.received + SENSORS.length,
      );
      expect((await seen(page)).sensors).toEqual(SENSORS);
      expect(errors).toEqual([]);
    }, 180_000);
  });
});
