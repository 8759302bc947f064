/**
 * rxmqtt/angular in real applications: the root's Angular 17 (the oldest supported version) with
 * zone.js, in headless Chromium, against the embedded broker over ws://. Applications are made by
 * `createApplication` (platform-browser, JIT), so the providers, injection contexts, DestroyRef
 * and NgZone are Angular's own. The newest Angular (21), zone and zoneless, runs in
 * spec/browser/angular-example.spec.ts.
 */
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { filter, firstValueFrom } from 'rxjs';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { bundleForBrowser, describeWithChromium, inPage as inPageOf, launchChromium, servePages, type HeadlessChromium, type PageServer } from '../helpers/chromium.js';
import { freePort } from '../helpers/mosquitto.js';
import type { Harness } from './fixtures/angular-harness.js';

const inPage = <R>(page: Page, fn: (h: Harness, ...args: never[]) => R, ...args: unknown[]): Promise<Awaited<R>> => inPageOf<Harness, R>(page, fn, ...args);

describeWithChromium('rxmqtt/angular with Angular 17 and zone.js in headless Chromium', () => {
  let chromium: HeadlessChromium;
  let pages: PageServer;
  let broker: BrokerHandle;
  let url: string;
  let page: Page;
  const errors: string[] = [];
  const connectedIds: string[] = [];

  const connected = (clientId: string) => firstValueFrom(broker.events$.pipe(filter((e) => e.type === 'clientConnected' && e.clientId === clientId)));
  const event = <T extends string>(type: T, clientId: string) => firstValueFrom(broker.events$.pipe(filter((e) => e.type === type && e.clientId === clientId)));

  beforeAll(async () => {
    const wsPort = await freePort();
    broker = await startBroker({ port: 0, websocket: { port: wsPort } });
    url = `ws://127.0.0.1:${wsPort}`;
    broker.events$.subscribe((e) => void (e.type === 'clientConnected' && connectedIds.push(e.clientId)));
    const bundle = await bundleForBrowser(join(__dirname, 'fixtures', 'angular-harness.ts'));
    pages = await servePages({
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>rxmqtt/angular</title><script src="/harness.js"></script>'],
      '/harness.js': ['text/javascript', bundle],
      '/favicon.ico': ['image/x-icon', ''],
    });
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${pages.origin}/`);
    await page.waitForFunction(() => 'harness' in globalThis);
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await pages?.close();
    await broker?.close();
  });
  afterEach(() => {
    expect(errors.splice(0)).toEqual([]);
  });

  it('is lazy by default and eager by option; named connections are separate clients; an options function may inject()', async () => {
    const telemetryUp = connected('a-telemetry');
    await inPage(page, (h, u: string) => h.start('a', { url: u, telemetry: true }), url);
    // The eager telemetry connection connects at application start; the lazy default one does not.
    await telemetryUp;
    expect(connectedIds.filter((id) => id.startsWith('a-'))).toEqual(['a-telemetry']);
    const defaultUp = connected('a-default');
    expect(await inPage(page, (h) => h.inject('a'))).toBe('a-default');
    await defaultUp;
    expect(await inPage(page, (h) => h.inject('a', true))).toBe('a-telemetry');
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.state('a') === 'connected');
  });

  it('mqttSignal: initial value, then the latest message (with pattern params) from another connection', async () => {
    const subscribed = event('subscribed', 'a-default');
    await inPage(page, (h) => h.watch('a', 'latest', 'devices/:id/state', { pattern: true, initialValue: 'none' }));
    expect(await inPage(page, (h) => h.value('a', 'latest'))).toBe('none');
    await subscribed;
    expect(await inPage(page, (h) => h.publish('a', 'devices/d7/state', 'on', true))).toBe('ok');
    await page.waitForFunction(() => typeof (globalThis as unknown as { harness: Harness }).harness.value('a', 'latest') === 'object');
    expect(await inPage(page, (h) => h.value('a', 'latest'))).toEqual({ topic: 'devices/d7/state', text: 'on', params: { id: 'd7' } });
    await inPage(page, (h) => h.publish('a', 'devices/d8/state', 'off', true));
    await page.waitForFunction(() => ((globalThis as unknown as { harness: Harness }).harness.value('a', 'latest') as { text?: string }).text === 'off');
  });

  it('mqttSignal unsubscribes when its injection context is destroyed', async () => {
    const unsubscribed = event('unsubscribed', 'a-default');
    await inPage(page, (h) => h.unwatch('a', 'latest'));
    expect(await unsubscribed).toMatchObject({ topicFilter: 'devices/+/state' });
  });

  it('delivers messages inside the Angular zone, and the application is stable while connected', async () => {
    const subscribed = event('subscribed', 'a-default');
    await inPage(page, (h) => h.recordZone('a', 'zone/check'));
    await subscribed;
    await inPage(page, (h) => h.publish('a', 'zone/check', 'x', true));
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.inZone('a').length === 1);
    expect(await inPage(page, (h) => h.inZone('a'))).toEqual([true]);
    await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.stable('a'));
    expect(await inPage(page, (h) => [h.state('a'), h.stable('a')])).toEqual(['connected', true]);
  });

  it('disconnects every connection when the application is destroyed', async () => {
    const gone = [event('clientDisconnected', 'a-default'), event('clientDisconnected', 'a-telemetry')];
    await inPage(page, (h) => h.destroy('a'));
    const [first, second] = (await Promise.all(gone)) as { graceful?: boolean }[];
    expect([first?.graceful, second?.graceful]).toEqual([true, true]);
  });

  it('on the server platform it opens nothing: closed state, initial values, publish refused with SERVER_SIDE', async () => {
    const seen: string[] = [];
    const watching = broker.events$.subscribe((e) => 'clientId' in e && e.clientId?.startsWith('ssr-') === true && seen.push(e.type));
    await inPage(page, (h, u: string) => h.start('ssr', { url: u, eager: true, telemetry: true, server: true }), url);
    expect(await inPage(page, (h) => h.state('ssr'))).toBe('closed');
    await inPage(page, (h) => h.watch('ssr', 's', 'x/#', { initialValue: 'initial' }));
    expect(await inPage(page, (h) => h.value('ssr', 's'))).toBe('initial');
    expect(await inPage(page, (h) => h.publish('ssr', 'x/y', 'z'))).toEqual({ error: 'SERVER_SIDE' });
    expect(await inPage(page, (h) => h.stable('ssr'))).toBe(true);
    // A connection of another app made after these calls reaches the broker; none of ssr's did.
    const control = connected('b-default');
    await inPage(page, (h, u: string) => h.start('b', { url: u, eager: true }), url);
    await control;
    watching.unsubscribe();
    expect(seen).toEqual([]);
    await inPage(page, (h) => h.destroy('ssr'));
    await inPage(page, (h) => h.destroy('b'));
  });

  it('raises typed errors for misuse', async () => {
    await inPage(page, (h, u: string) => h.start('misuse', { url: u }), url);
    const r = (await inPage(page, (h) => h.misuse())) as Record<string, { name: string; code?: string; argument?: string; message: string } | undefined>;
    expect(r.notOptions).toMatchObject({ name: 'InvalidArgumentError', argument: 'options' });
    expect(r.badEager).toMatchObject({ name: 'InvalidArgumentError', argument: 'eager' });
    expect(r.emptyName).toMatchObject({ name: 'InvalidArgumentError', argument: 'name' });
    expect(r.noProvider).toMatchObject({ name: 'InvalidArgumentError', argument: 'token' });
    expect(r.noProvider?.message).toContain('"telemetry"');
    // Angular's own error for inject() outside an injection context (NG0203).
    expect(r.outsideContext?.message).toContain('NG0203');
    await inPage(page, (h) => h.destroy('misuse'));
  });
});
