/**
 * The browser entry (`rxmqtt`) in real headless Chromium: an esbuild bundle of it, loaded into a
 * page served from 127.0.0.1, talks to the embedded broker over ws:// and (through a TLS front) over
 * wss://. Connect, subscribe, publish at QoS 0/1/2, retained messages, a will, reconnect after a
 * broker restart, the error a browser user gets for mqtt://, and the same entry in a Web Worker.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Page } from 'puppeteer-core';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { connectAsync } from '../../lib/node/index.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import type { MqttMessage } from '../../lib/client/mqtt-message.js';
import { collect, uniqueTopic } from '../helpers/client-utils.js';
import { bundleForBrowser, describeWithChromium, inPage as inPageOf, launchChromium, servePages, type HeadlessChromium, type PageServer } from '../helpers/chromium.js';
import { freePort } from '../helpers/mosquitto.js';
import { generateTlsFixtures, type TlsFixtures } from '../helpers/tls.js';

jest.setTimeout(60_000);

interface Received {
  readonly topic: string;
  readonly text: string;
  readonly qos: number;
  readonly retain: boolean;
}
/** The page's `window.harness` (spec/browser/fixtures/page-harness.ts), as seen from here. */
interface Harness {
  connect(name: string, url: string, options?: object): Promise<string>;
  subscribe(name: string, filter: string, qos: 0 | 1 | 2): Promise<void>;
  publish(name: string, topic: string, payload: string, qos: 0 | 1 | 2, retain?: boolean): Promise<void>;
  received(name: string): Received[];
  states(name: string): string[];
  disconnect(name: string): Promise<void>;
  errorOf(url: string): { name: string; code: string; message: string } | undefined;
  connectWithStore(name: string, url: string, db: string, options?: object): Promise<string>;
  storedOutbound(name: string): Promise<{ id: number | undefined; state: string; topic: string; text: string }[]>;
  publishInBackground(name: string, topic: string, payload: string, qos: 0 | 1 | 2): void;
}
const inPage = <R>(page: Page, fn: (h: Harness, ...args: never[]) => R, ...args: unknown[]): Promise<Awaited<R>> => inPageOf<Harness, R>(page, fn, ...args);

describeWithChromium('browser entry in headless Chromium', () => {
  let chromium: HeadlessChromium;
  let pages: PageServer;
  let broker: BrokerHandle;
  let wsPort: number;
  let wsUrl: string;
  let tls: TlsFixtures;
  let tlsFront: TlsServer;
  let wssUrl: string;
  const nodeClients: MqttClient[] = [];
  const startOurBroker = async (): Promise<BrokerHandle> => startBroker({ port: 0, websocket: { port: wsPort } });

  beforeAll(async () => {
    wsPort = await freePort();
    broker = await startOurBroker();
    wsUrl = `ws://127.0.0.1:${wsPort}`;
    // wss://: a TLS front on its own port that hands the bytes to the broker's WebSocket listener.
    tls = generateTlsFixtures();
    tlsFront = createTlsServer({ cert: tls.serverCert.pem, key: tls.serverKey.pem }, (socket) => {
      const upstream = netConnect({ port: wsPort, host: '127.0.0.1' });
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => tlsFront.listen(0, '127.0.0.1', () => resolve()));
    const address = tlsFront.address();
    wssUrl = `wss://localhost:${typeof address === 'object' && address !== null ? address.port : 0}`;
    // Chromium trusts the test server's key by its SPKI pin (a fresh profile has no CA store to add to).
    const spki = new X509Certificate(tls.serverCert.pem).publicKey.export({ type: 'spki', format: 'der' });
    const pin = createHash('sha256').update(spki).digest('base64');
    const bundle = await bundleForBrowser(join(__dirname, 'fixtures', 'page-harness.ts'));
    const worker = await bundleForBrowser(join(__dirname, 'fixtures', 'worker-entry.ts'));
    pages = await servePages({
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>rxmqtt</title><script src="/rxmqtt.js"></script>'],
      '/rxmqtt.js': ['text/javascript', bundle],
      '/worker.js': ['text/javascript', worker],
    });
    chromium = await launchChromium([`--ignore-certificate-errors-spki-list=${pin}`]);
  });
  afterAll(async () => {
    await Promise.all(nodeClients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
    await chromium?.close();
    await pages?.close();
    await new Promise<void>((resolve) => (tlsFront ? tlsFront.close(() => resolve()) : resolve()));
    tls?.dispose();
    await broker?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await chromium.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${pages.origin}/`);
    await page.waitForFunction(() => 'harness' in globalThis);
    expect(errors).toEqual([]);
    return page;
  }

  async function nodeClient(): Promise<MqttClient> {
    const c = await connectAsync(broker.url, { reconnect: false });
    nodeClients.push(c);
    return c;
  }

  it('connects over ws://, subscribes, and publishes and receives at QoS 0, 1 and 2', async () => {
    const page = await openPage();
    const topic = uniqueTopic('browser/qos');
    await inPage(page, (h, url: string) => h.connect('a', url), wsUrl);
    await inPage(page, (h, t: string) => h.subscribe('a', `${t}/#`, 2), topic);
    for (const qos of [0, 1, 2] as const) await inPage(page, (h, t: string, q: 0 | 1 | 2) => h.publish('a', `${t}/${q}`, `q${q}`, q), topic, qos);
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.received('a').length >= 3);
    const got = await inPage(page, (h) => h.received('a'));
    expect(got).toEqual([0, 1, 2].map((q) => ({ topic: `${topic}/${q}`, text: `q${q}`, qos: q, retain: false })));
    // And from a Node client to the page, QoS 2 end to end.
    const node = await nodeClient();
    await node.publishAsync(`${topic}/node`, 'from node', { qos: 2 });
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.received('a').length >= 4);
    expect((await inPage(page, (h) => h.received('a')))[3]).toEqual({ topic: `${topic}/node`, text: 'from node', qos: 2, retain: false });
    await inPage(page, (h) => h.disconnect('a'));
    await page.close();
  });

  it('gets a retained message on subscribe, and its will reaches others when the page goes away', async () => {
    const topic = uniqueTopic('browser/retained');
    const node = await nodeClient();
    await node.publishAsync(topic, 'kept', { qos: 1, retain: true });
    const wills = collect<MqttMessage>(node.subscribe(`${topic}/will`, { qos: 1 }), 1, 20_000);
    await node.publishAsync(`${topic}/barrier`, '', { qos: 1 });
    const page = await openPage();
    await inPage(page, (h, url: string, t: string) => h.connect('w', url, { will: { topic: `${t}/will`, payload: 'gone', qos: 1 } }), wsUrl, topic);
    await inPage(page, (h, t: string) => h.subscribe('w', t, 1), topic);
    expect(await inPage(page, (h) => h.received('w'))).toEqual([{ topic, text: 'kept', qos: 1, retain: true }]);
    await page.close(); // the socket drops without DISCONNECT: the broker publishes the will
    const [will] = await wills;
    expect([will?.topic, will?.text()]).toEqual([`${topic}/will`, 'gone']);
  });

  it('reconnects after the broker restarts and subscribes again', async () => {
    const page = await openPage();
    const topic = uniqueTopic('browser/restart');
    await inPage(page, (h, url: string) => h.connect('r', url, { reconnect: { minDelay: 50, maxDelay: 200 } }), wsUrl);
    await inPage(page, (h, t: string) => h.subscribe('r', t, 1), topic);
    await broker.close();
    broker = await startOurBroker();
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.states('r').filter((s) => s === 'connected').length >= 2, { timeout: 20_000 });
    expect(await inPage(page, (h) => h.states('r'))).toContain('reconnecting');
    // The new broker has no session: the client subscribed again, before anything it publishes
    // now, so its own QoS 1 message comes back to it.
    await inPage(page, (h, t: string) => h.publish('r', t, 'after restart', 1), topic);
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.received('r').length >= 1);
    expect(await inPage(page, (h) => h.received('r'))).toEqual([{ topic, text: 'after restart', qos: 1, retain: false }]);
    await inPage(page, (h) => h.disconnect('r'));
    await page.close();
  });

  it('connects over wss:// (TLS, certificate checked by Chromium)', async () => {
    const page = await openPage();
    const topic = uniqueTopic('browser/wss');
    await inPage(page, (h, url: string) => h.connect('s', url), wssUrl);
    await inPage(page, (h, t: string) => h.subscribe('s', t, 1), topic);
    await inPage(page, (h, t: string) => h.publish('s', t, 'over tls', 1), topic);
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.received('s').length >= 1);
    expect(await inPage(page, (h) => h.received('s'))).toEqual([{ topic, text: 'over tls', qos: 1, retain: false }]);
    await inPage(page, (h) => h.disconnect('s'));
    await page.close();
  });

  it('says clearly that mqtt:// does not work in a browser', async () => {
    const page = await openPage();
    const error = await inPage(page, (h) => h.errorOf('mqtt://127.0.0.1:1883'));
    expect(error).toMatchObject({ name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT' });
    expect(error?.message).toMatch(/ws:\/\/|wss:\/\//);
    await page.close();
  });

  it('runs in a Web Worker', async () => {
    const page = await openPage();
    const topic = uniqueTopic('browser/worker');
    const result = await page.evaluate(
      (url: string, t: string) =>
        new Promise((resolve) => {
          const worker = new Worker('/worker.js');
          worker.onmessage = (e: MessageEvent) => {
            worker.terminate();
            resolve(e.data);
          };
          worker.onerror = (e: ErrorEvent) => resolve({ error: e.message });
          worker.postMessage({ url, topic: t });
        }),
      wsUrl,
      topic,
    );
    expect(result).toEqual({ topic, text: 'from a worker', qos: 1, inWorker: true });
    await page.close();
  });

  it('keeps a QoS 1 publish in flight across a page reload with IndexedDbInFlightStore', async () => {
    // A broker that never answers PUBLISH (its authorization never decides) keeps the publish in flight.
    const stalling = await startBroker({ port: 0, websocket: { port: 0 }, authorizePublish: () => new Promise<boolean>(() => undefined) });
    const topic = uniqueTopic('browser/idb');
    const db = `rxmqtt-${Math.random().toString(36).slice(2)}`;
    const options = { clientId: `idb-${Math.random().toString(36).slice(2, 8)}`, clean: false, reconnect: false };
    try {
      const page = await openPage();
      await inPage(page, (h, url: string, d: string, o: object) => h.connectWithStore('p', url, d, o), `ws://127.0.0.1:${stalling.wsPort}`, db, options);
      await inPage(page, (h, t: string) => h.publishInBackground('p', t, 'survives a reload', 1), topic);
      await page.waitForFunction(async () => (await (globalThis as unknown as { harness: Harness }).harness.storedOutbound('p')).length === 1);
      expect(await inPage(page, (h) => h.storedOutbound('p'))).toEqual([{ id: expect.any(Number), state: 'publish', topic, text: 'survives a reload' }]);

      await page.reload();
      await page.waitForFunction(() => 'harness' in globalThis);
      const node = await nodeClient();
      const delivered = collect<MqttMessage>(node.subscribe(topic, { qos: 1 }), 1, 20_000);
      await node.publishAsync(`${topic}/barrier`, '', { qos: 1 });
      // The same client id and store against a broker that works: the stored publish goes out again.
      await inPage(page, (h, url: string, d: string, o: object) => h.connectWithStore('p2', url, d, o), wsUrl, db, options);
      const [m] = await delivered;
      expect([m?.topic, m?.text()]).toEqual([topic, 'survives a reload']);
      await page.waitForFunction(async () => (await (globalThis as unknown as { harness: Harness }).harness.storedOutbound('p2')).length === 0);
      await inPage(page, (h) => h.disconnect('p2'));
      await page.close();
    } finally {
      await stalling.close();
    }
  });
});
