/**
 * Server-side rendering with rxmqtt/angular: a component using connectionState() and mqttSignal()
 * with an eager provideMqtt, rendered by @angular/platform-server (Angular 17) in a Node process of
 * its own. Rendering finishes (the application becomes stable), shows the initial values, prints
 * no error, and nothing reaches the broker.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerEvent } from '../../lib/broker/index.js';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { freePort } from '../helpers/mosquitto.js';

describe('rxmqtt/angular during server-side rendering (Angular 17, platform-server, Node)', () => {
  let broker: BrokerHandle;
  let work: string;
  let wsPort: number;
  const events: BrokerEvent[] = [];

  beforeAll(async () => {
    wsPort = await freePort();
    broker = await startBroker({ port: 0, websocket: { port: wsPort } });
    broker.events$.subscribe((e) => events.push(e));
    work = mkdtempSync(join(tmpdir(), 'rxmqtt-ssr-'));
  });
  afterAll(async () => {
    await broker?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('renders the initial values, connects nothing and reports no error', async () => {
    const { build } = await import('esbuild');
    const bundled = await build({
      entryPoints: [join(__dirname, 'fixtures', 'ssr-render.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // ws's optional native helpers.
      external: ['bufferutil', 'utf-8-validate'],
      logLevel: 'silent',
    });
    const script = join(work, 'ssr-render.cjs');
    writeFileSync(script, bundled.outputFiles[0]!.text);
    const wsUrl = `ws://127.0.0.1:${wsPort}`;
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [script, wsUrl], { cwd: work, timeout: 120_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
      ),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const out = JSON.parse(lines[lines.length - 1]!) as { html: string; webSocket: string };
    expect(out.html).toContain('<p id="state">closed</p>');
    expect(out.html).toContain('<p id="latest">waiting</p>');
    expect(events.filter((e) => e.type === 'clientConnected' || e.type === 'connectionError')).toEqual([]);
  }, 180_000);
});
