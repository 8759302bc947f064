/**
 * `rxmqtt broker --ws-allowed-origin` as a real process: the flag reaches the WebSocket listener.
 */
import { killAll, requireBuild, run, start, type CliChild } from '../cli/cli-process';
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
