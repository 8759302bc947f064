/**
 * `rxmqtt demo` as a real process: embedded broker, simulated sensors and the monitor pipeline,
 * with the delivery summary computed from sequence numbers.
 */
import { killAll, requireBuild, run } from './cli-process';

beforeAll(requireBuild);
afterEach(killAll);

describe('rxmqtt demo', () => {
  it('runs for --duration, prints windows and an alert, and reports nothing lost', async () => {
    const r = await run(['demo', '--duration', '3', '--sensors', '3', '--interval', '100'], { timeoutMs: 30000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rxmqtt demo: embedded broker on mqtt:\/\/127\.0\.0\.1:\d+\n/);
    const summary = /^summary: sent (\d+), received (\d+), lost (\d+), duplicates (\d+)$/m.exec(r.stdout);
    expect(summary).not.toBeNull();
    const [, sent, received, lost] = summary!.map(Number);
    // 3 sensors x 30 readings, each acknowledged by the broker and seen by the monitor.
    expect(sent).toBe(90);
    expect(received).toBe(sent);
    expect(lost).toBe(0);
    // Each sensor's windows together count every reading it sent.
    const counts = new Map<string, number>();
    for (const m of r.stdout.matchAll(/^\s+[\d.]+s {2}(sensor-\d+)\s+avg\s+-?[\d.]+ °C {2}\((\d+) readings?,/gm)) {
      counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + Number(m[2]));
    }
    expect(Object.fromEntries(counts)).toEqual({ 'sensor-1': 30, 'sensor-2': 30, 'sensor-3': 30 });
    // The last sensor heats up past the threshold.
    expect(r.stdout).toMatch(/sensor-3 .* ALERT above 30 °C$/m);
  });
});
