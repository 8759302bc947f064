/**
 * The browser entry in Deno and Bun (both from npm, as dev dependencies): an esbuild bundle of it,
 * run by each runtime on its platform WebSocket against the embedded broker over ws://.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { bundleForBrowser } from '../helpers/chromium.js';

jest.setTimeout(60_000);

function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the browser entry in Deno and Bun', () => {
  let broker: BrokerHandle;
  let dir: string;
  let script: string;
  let wsUrl: string;
  const bin = (name: string): string => join(__dirname, '..', '..', 'node_modules', '.bin', name);

  beforeAll(async () => {
    broker = await startBroker({ port: 0, websocket: { port: 0 } });
    wsUrl = `ws://127.0.0.1:${broker.wsPort}`;
    dir = mkdtempSync(join(tmpdir(), 'rxmqtt-runtimes-'));
    script = join(dir, 'runtime.mjs');
    writeFileSync(script, await bundleForBrowser(join(__dirname, 'fixtures', 'runtime-entry.ts'), { format: 'esm' }));
  });
  afterAll(async () => {
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs in Deno (platform WebSocket): subscribe, publish QoS 1, receive', async () => {
    const { code, stdout, stderr } = await run(bin('deno'), ['run', '--allow-net', '--no-prompt', script, wsUrl]);
    expect({ code, stderr: stderr.includes('error') ? stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout.trim())).toEqual({ runtime: 'deno', topic: true, text: 'hello', qos: 1 });
  });

  it('runs in Bun (platform WebSocket): subscribe, publish QoS 1, receive', async () => {
    const { code, stdout } = await run(bin('bun'), [script, wsUrl]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toEqual({ runtime: 'bun', topic: true, text: 'hello', qos: 1 });
  });
});
