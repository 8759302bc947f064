/**
 * Wake-ups in real headless Chromium: `pageWakeups()` from the browser entry sees the page's real
 * lifecycle events (unfrozen through CDP `Page.setWebLifecycleState`, visible again when its tab is
 * brought back to the front, online again after CDP `Network.emulateNetworkConditions`). Fed to the
 * keep alive's `probe$`, a wake-up sends PINGREQ at once: the broker (the embedded one, and
 * Mosquitto) answers it, and a link frozen meanwhile (a fault proxy that drops everything and keeps
 * the sockets open) is found dead within the probe's short deadline. Fed to `reconnect.trigger$`,
 * `online` ends a 10-minute backoff wait at once, and so does the `resume` that Chromium fires just
 * before it closes a frozen page's WebSocket. The keep alive intervals (10 minutes) and backoff
 * waits (10 minutes) are far longer than the test's own timeout, so only the wake-up can have
 * caused what the tests see.
 */
import { join } from 'node:path';
import type { CDPSession, Page } from 'puppeteer-core';
import { startBroker } from '../../lib/broker/index.js';
import { bundleForBrowser, describeWithChromium, inPage as inPageOf, launchChromium, servePages, type HeadlessChromium, type PageServer } from '../helpers/chromium.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { mosquittoBinary, startMosquitto } from '../helpers/mosquitto.js';

jest.setTimeout(60_000);

interface Timed {
  readonly what: string;
  readonly t: number;
}
/** The page's `harness` (spec/browser/fixtures/wakeups-harness.ts), as seen from here. */
interface Harness {
  wakeups(): Timed[];
  openSession(name: string, url: string, keepAliveS: number, probeTimeoutMs: number): Promise<void>;
  sessionLog(name: string): Timed[];
  closeSession(name: string): void;
  connectClient(name: string, url: string, delayMs: number): Promise<void>;
  clientStates(name: string): Timed[];
  disconnectClient(name: string): Promise<void>;
}
const inPage = <R>(page: Page, fn: (h: Harness, ...args: never[]) => R, ...args: unknown[]): Promise<Awaited<R>> => inPageOf<Harness, R>(page, fn, ...args);
const whats = (log: readonly Timed[]): string[] => log.map((e) => e.what);
const TEN_MINUTES = 600_000;

/** A broker's WebSocket listener, reached directly and through a fault proxy. */
interface Target {
  readonly directUrl: string;
  readonly proxiedUrl: string;
  readonly proxy: FaultProxy;
  close(): Promise<void>;
}
async function targetOf(wsPort: number, stop: () => Promise<void>): Promise<Target> {
  const proxy = await startFaultProxy({ targetPort: wsPort });
  return {
    directUrl: `ws://127.0.0.1:${wsPort}`,
    proxiedUrl: `ws://127.0.0.1:${proxy.port}`,
    proxy,
    close: async () => {
      await proxy.close();
      await stop();
    },
  };
}
const brokers: [string, () => Promise<Target>][] = [
  [
    'the embedded broker',
    async () => {
      const broker = await startBroker({ port: 0, websocket: { port: 0 } });
      return targetOf(broker.wsPort ?? 0, () => broker.close());
    },
  ],
  [
    'Mosquitto',
    async () => {
      // With CI=true a missing binary fails here; elsewhere the Mosquitto block is skipped below.
      const mosquitto = await startMosquitto({ websockets: true });
      return targetOf(mosquitto.wsPort ?? 0, () => mosquitto.dispose());
    },
  ],
];
const withMosquitto = mosquittoBinary() !== undefined || process.env.CI === 'true';
if (!withMosquitto) console.warn('SKIPPED the Mosquitto half of "page wake-ups": mosquitto is not installed. With CI=true this fails.');

describeWithChromium('page wake-ups in headless Chromium', () => {
  let chromium: HeadlessChromium;
  let pages: PageServer;

  beforeAll(async () => {
    const bundle = await bundleForBrowser(join(__dirname, 'fixtures', 'wakeups-harness.ts'));
    pages = await servePages({
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>wake-ups</title><script src="/wakeups.js"></script>'],
      '/wakeups.js': ['text/javascript', bundle],
    });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await pages?.close();
  });

  async function openPage(): Promise<{ page: Page; cdp: CDPSession }> {
    const page = await chromium.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${pages.origin}/`);
    await page.waitForFunction(() => 'harness' in globalThis);
    expect(errors).toEqual([]);
    return { page, cdp: await page.createCDPSession() };
  }
  const waitInPage = (page: Page, fn: (h: Harness, ...args: never[]) => boolean, ...args: unknown[]): Promise<unknown> =>
    page.waitForFunction(
      (source: string, a: unknown[]) => {
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        const f = new Function('h', '...args', `return (${source})(h, ...args)`) as (h: unknown, ...rest: unknown[]) => boolean;
        return f((globalThis as unknown as { harness: unknown }).harness, ...a);
      },
      { timeout: 20_000, polling: 50 }, // not on animation frames: a hidden page has none
      fn.toString(),
      args,
    );
  /** Freezes the page (as a phone does to a page in the background) and lets it run again: `resume`. */
  async function freezeAndResume(cdp: CDPSession): Promise<void> {
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  }
  /** Another tab comes to the front (this one is hidden: no wake-up), `meanwhile()` runs, and this one comes back: `visible`. */
  async function hideThenShow(page: Page, meanwhile: () => void = () => undefined): Promise<void> {
    const other = await chromium.browser.newPage();
    await other.bringToFront();
    await page.waitForFunction(() => document.visibilityState === 'hidden', { polling: 50 });
    meanwhile();
    await page.bringToFront();
    await page.waitForFunction(() => document.visibilityState === 'visible', { polling: 50 });
    await other.close();
  }
  /** The network goes away and comes back: `offline`, then `online`. */
  async function offlineThenOnline(cdp: CDPSession): Promise<void> {
    await cdp.send('Network.enable');
    const conditions = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
    await cdp.send('Network.emulateNetworkConditions', { ...conditions, offline: true });
    await cdp.send('Network.emulateNetworkConditions', { ...conditions, offline: false });
  }

  it('sees the page resumed after being frozen, the network back, and the page visible again', async () => {
    const { page, cdp } = await openPage();
    await freezeAndResume(cdp);
    await waitInPage(page, (h) => h.wakeups().length >= 1);
    await offlineThenOnline(cdp);
    await waitInPage(page, (h) => h.wakeups().length >= 2);
    await hideThenShow(page);
    await waitInPage(page, (h) => h.wakeups().length >= 3);
    expect(whats(await inPage(page, (h) => h.wakeups()))).toEqual(['resume', 'online', 'visible']);
    await page.close();
  });

  describe.each(brokers.filter(([name]) => withMosquitto || name !== 'Mosquitto'))('with %s', (name, start) => {
    let target: Target;
    beforeAll(async () => {
      target = await start();
    });
    afterAll(async () => target?.close());

    it('a connected session sends PINGREQ as soon as its tab is visible again, and the broker answers it', async () => {
      const { page } = await openPage();
      await inPage(page, (h, url: string, s: number) => h.openSession('alive', url, s, 2000), target.directUrl, TEN_MINUTES / 1000);
      await hideThenShow(page);
      await waitInPage(page, (h) => h.sessionLog('alive').some((e) => e.what === 'pingresp'));
      const [log, wakeups] = await Promise.all([inPage(page, (h) => h.sessionLog('alive')), inPage(page, (h) => h.wakeups())]);
      expect(whats(log)).toEqual(['connack', 'pingreq', 'pingresp']);
      const visible = wakeups[0]?.t ?? NaN;
      console.log(`${name}: visible -> PINGREQ ${(log[1]!.t - visible).toFixed(1)} ms, -> PINGRESP ${(log[2]!.t - visible).toFixed(1)} ms`);
      await inPage(page, (h) => h.closeSession('alive'));
      await page.close();
    });

    it('a link that died while the tab was in the background is found dead within the probe deadline once it is visible', async () => {
      const { page } = await openPage();
      await inPage(page, (h, url: string, s: number) => h.openSession('dead', url, s, 1000), target.proxiedUrl, TEN_MINUTES / 1000);
      // The link goes silent both ways, neither end told, while another tab is in front.
      await hideThenShow(page, () => expect(target.proxy.freeze()).toBe(1));
      await waitInPage(page, (h) => h.sessionLog('dead').some((e) => e.what.startsWith('keepalive')));
      const [log, wakeups] = await Promise.all([inPage(page, (h) => h.sessionLog('dead')), inPage(page, (h) => h.wakeups())]);
      // The response timeout of the scheduled pings is 5 minutes: this is the probe's 1 s deadline.
      expect(whats(log).slice(0, 3)).toEqual(['connack', 'pingreq', 'keepalive KEEPALIVE_TIMEOUT: no packet from the server within 1000 ms after PINGREQ']);
      console.log(`${name}: visible -> KEEPALIVE_TIMEOUT ${(log[2]!.t - (wakeups[0]?.t ?? NaN)).toFixed(1)} ms (probe deadline 1000 ms)`);
      await page.close();
    });

    it('a client waiting 10 minutes to reconnect reconnects as soon as the network is back', async () => {
      const { page, cdp } = await openPage();
      await inPage(page, (h, url: string, delay: number) => h.connectClient('r', url, delay), target.proxiedUrl, TEN_MINUTES);
      expect(target.proxy.cutAll()).toBe(1);
      await waitInPage(page, (h) => h.clientStates('r').some((s) => s.what.startsWith('reconnecting')));
      await offlineThenOnline(cdp);
      await waitInPage(page, (h) => h.clientStates('r').filter((s) => s.what === 'connected').length === 2);
      const [states, wakeups] = await Promise.all([inPage(page, (h) => h.clientStates('r')), inPage(page, (h) => h.wakeups())]);
      expect(whats(states)).toEqual(['connecting', 'connected', `reconnecting ${TEN_MINUTES}`, 'connecting', 'connected']);
      expect(whats(wakeups)).toEqual(['online']);
      console.log(`${name}: online -> connected again ${(states[4]!.t - wakeups[0]!.t).toFixed(1)} ms (backoff wait ${TEN_MINUTES} ms)`);
      await inPage(page, (h) => h.disconnectClient('r'));
      await page.close();
    });

    it("Chromium closes a frozen page's WebSocket when it resumes it: the resume just before makes the client reconnect at once", async () => {
      const { page, cdp } = await openPage();
      await inPage(page, (h, url: string, delay: number) => h.connectClient('f', url, delay), target.directUrl, TEN_MINUTES);
      await freezeAndResume(cdp);
      await waitInPage(page, (h) => h.clientStates('f').filter((s) => s.what === 'connected').length === 2);
      const [states, wakeups] = await Promise.all([inPage(page, (h) => h.clientStates('f')), inPage(page, (h) => h.wakeups())]);
      // `resume` came before the close, while connected; it still ends the 10-minute wait (delay 0).
      expect(whats(wakeups)).toEqual(['resume']);
      expect(whats(states)).toEqual(['connecting', 'connected', 'reconnecting 0', 'connecting', 'connected']);
      expect(wakeups[0]!.t).toBeLessThan(states[2]!.t);
      console.log(`${name}: resume -> connection lost ${(states[2]!.t - wakeups[0]!.t).toFixed(1)} ms, -> connected again ${(states[4]!.t - wakeups[0]!.t).toFixed(1)} ms`);
      await inPage(page, (h) => h.disconnectClient('f'));
      await page.close();
    });
  });
});
