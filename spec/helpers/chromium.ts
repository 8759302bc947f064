/**
 * Test harness for browser suites: Debian's Chromium, driven headless through puppeteer-core (no
 * browser download), pages served from a private HTTP server on 127.0.0.1, and esbuild bundles of
 * the browser entry made at test time. With CI=true a missing Chromium fails the suite; elsewhere
 * the suite is skipped with a message saying why.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { describeWithTool } from './describe-with-tool.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The path of Chromium, or undefined when it is not installed. */
export function chromiumBinary(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

/** `describe` for suites that need Chromium: with CI=true a missing binary fails, elsewhere skips loudly. */
export function describeWithChromium(name: string, fn: () => void): void {
  describeWithTool({ what: 'Chromium', installed: chromiumBinary() !== undefined, install: 'apt-get install chromium' }, name, fn);
}

/** A headless Chromium; `close()` also removes its profile folder. */
export interface HeadlessChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a fresh profile and without the background services that would
 * try to reach the network. `extraArgs` adds switches (a certificate pin for wss://, say).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<HeadlessChromium> {
  const executablePath = chromiumBinary();
  if (executablePath === undefined) throw new Error('Chromium not found: install it (apt-get install chromium)');
  const { launch } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'rxmqtt-chromium-'));
  const browser = await launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...extraArgs,
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Bundles `entry` for browsers (IIFE); fails on anything that needs Node built-ins or polyfills. */
export async function bundleForBrowser(
  entry: string,
  options: { minify?: boolean; external?: readonly string[]; format?: 'iife' | 'esm'; alias?: Readonly<Record<string, string>> } = {},
): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: options.format ?? 'iife',
    target: 'es2020',
    minify: options.minify ?? false,
    external: [...(options.external ?? [])],
    alias: { ...(options.alias ?? {}) },
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** A private HTTP server on 127.0.0.1 serving fixed files by path. */
export interface PageServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `files` (path -> [content type, body]); other paths get 404. */
export async function servePages(files: Readonly<Record<string, readonly [string, string]>>): Promise<PageServer> {
  const server: Server = createServer((request, response) => {
    const file = files[(request.url ?? '/').split('?')[0] ?? '/'];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs `fn(harness, ...args)` in the page, where `harness` is the page's `globalThis.harness` (set
 * by the bundled fixture), and resolves with what it returns. `fn` travels as source text, so it
 * may use only its arguments.
 */
export function inPage<H, R>(page: Page, fn: (h: H, ...args: never[]) => R, ...args: unknown[]): Promise<Awaited<R>> {
  return page.evaluate(
    (source: string, a: unknown[]) => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const f = new Function('h', '...args', `return (${source})(h, ...args)`) as (h: unknown, ...rest: unknown[]) => unknown;
      return f((globalThis as unknown as { harness: unknown }).harness, ...a);
    },
    fn.toString(),
    args,
  ) as Promise<Awaited<R>>;
}
