/**
 * `rxmqtt broker` flags added for issue 10, as a real process: each reaches the broker.
 */
import { killAll, requireBuild, run, start, startBrokerProcess, type CliChild } from '../cli/cli-process';
import { subscribeBytes } from '../broker/hostile';
import { RawClient, connect311 } from '../broker/raw-client';
import { CONNACK_OK, attempt } from '../broker/ws-origin';

beforeAll(requireBuild);
afterAll(killAll);

describe('rxmqtt broker --ws-allowed-origin', () => {
  let broker: CliChild;
  let wsUrl: string;
  beforeAll(async () => {
    broker = start(['broker', '--port', '0', '--ws-port', '0', '--ws-allowed-origin', 'https://app.example.com', '--ws-allowed-origin', 'http://localhost:*'], {
      timeoutMs: 60000,
    });
    wsUrl = (await broker.waitFor(/listening on (ws:\/\/\S+)\n/))[1]!;
  });
  afterAll(async () => {
    broker.child.kill('SIGTERM');
    await broker.exited.catch(() => undefined);
  });

  it.each([
    ['https://app.example.com', CONNACK_OK],
    ['http://localhost:5173', CONNACK_OK],
    [undefined, CONNACK_OK],
    ['http://127.0.0.1:5173', { status: 403 }],
    ['http://evil.example', { status: 403 }],
  ])('answers Origin %s with %j', async (origin, expected) => {
    expect(await attempt(wsUrl, origin)).toEqual(expected);
  });

  it('refuses a malformed origin and one without --ws-port with exit code 2', async () => {
    const bad = await run(['broker', '--port', '0', '--ws-port', '0', '--ws-allowed-origin', 'app.example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ws-allowed-origin/);
    const alone = await run(['broker', '--port', '0', '--ws-allowed-origin', 'https://app.example.com']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/needs --ws-port/);
  });
});

describe('rxmqtt broker limit flags', () => {
  it('passes --max-subscriptions and --max-topic-levels to the broker', async () => {
    const { broker, port } = await startBrokerProcess(['--max-subscriptions', '2', '--max-topic-levels', '3', '--max-queued', '5', '--max-inflight', '2']);
    try {
      const c = await RawClient.open(port);
      c.write(connect311({ clientId: 'flags' }));
      await c.packets(1, 4);
      c.write(subscribeBytes(4, 1, [['a/b/c', 1], ['a/b/c/d', 1], ['x', 0], ['y', 0]]));
      const [, suback] = await c.packets(2, 4);
      // a/b/c granted; 4 levels refused; x granted; y is the third subscription: over the cap.
      expect(suback).toMatchObject({ type: 'suback', reasonCodes: [1, 0x80, 0, 0x80] });
      c.destroy();
    } finally {
      broker.child.kill('SIGTERM');
      await broker.exited.catch(() => undefined);
    }
  });

  it('refuses a limit out of range with exit code 2', async () => {
    const bad = await run(['broker', '--port', '0', '--max-inflight', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-inflight/);
  });
});
