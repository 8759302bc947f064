import { type Observable, Subject, filter, firstValueFrom, forkJoin, map, race, share, startWith, take, takeUntil, tap, timer } from 'rxjs';
import type { CliClient, CliDeps } from './cli-deps.js';
import type { CliIo } from './cli-io.js';
import { type Reading, type SensorWindow, parseReading, sensorWindows } from './demo-pipeline.js';
import { formatHelp, type HelpText } from './format-help.js';
import { type OptionSpec, parseArgs, wantsHelp } from './parse-args.js';
import { ExitCode, reportFailure } from './report-failure.js';
import { SequenceTracker } from './sequence-tracker.js';
import { simulatedSensor } from './simulated-sensor.js';

/** The options of `rxmqtt demo`. */
export const DEMO_OPTIONS: readonly OptionSpec[] = [
  { long: 'duration', kind: 'integer', min: 1, max: 600, valueName: 'SECONDS', description: 'how long the sensors publish (default 8)' },
  { long: 'sensors', kind: 'integer', min: 1, max: 50, valueName: 'N', description: 'number of simulated sensors (default 4)' },
  { long: 'interval', kind: 'integer', min: 10, max: 10000, valueName: 'MS', description: 'milliseconds between two readings of a sensor (default 250)' },
  { long: 'window', kind: 'integer', min: 100, max: 60000, valueName: 'MS', description: 'length of an averaging window (default 1000)' },
  { long: 'threshold', kind: 'integer', min: -50, max: 150, valueName: 'CELSIUS', description: 'alert when a window average is above this (default 30)' },
  { long: 'help', kind: 'flag', description: 'show this help' },
];

/** The `rxmqtt demo --help` text. */
export const DEMO_HELP: HelpText = {
  usage: ['rxmqtt demo [--duration SECONDS] [--sensors N] [--interval MS] [--window MS] [--threshold CELSIUS]'],
  summary:
    'Starts the embedded broker on a free port, simulated sensors that publish temperatures at QoS 1 to ' +
    'sensors/<id>/temperature, and a monitor that subscribes to sensors/+/temperature and averages each ' +
    "sensor's readings per window, raising an alert above the threshold. Stops by itself and prints how " +
    'many messages were sent, received and lost (by sequence number). Needs nothing installed.',
  options: DEMO_OPTIONS,
  examples: [['rxmqtt demo --duration 5 --sensors 6', 'six sensors for five seconds']],
  notes: ['Exit status: 0 nothing lost, 1 a message was lost or something failed, 2 bad arguments.'],
};

const MONITOR_ID = 'demo-monitor';
const FILTER = 'sensors/+/temperature';

/**
 * `rxmqtt demo`: everything in one process, over real TCP on the loopback interface. Prints the
 * windows as they close on stdout, then a summary line `sent N, received N, lost 0, duplicates 0`.
 * Resolves with 0 when every acknowledged reading arrived, 1 otherwise.
 *
 * @example
 * ```ts
 * process.exitCode = await demoCommand(['--duration', '3'], processIo(), deps);
 * ```
 */
export async function demoCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(formatHelp(DEMO_HELP));
    return ExitCode.ok;
  }
  let settings: { duration: number; sensors: number; intervalMs: number; windowMs: number; threshold: number };
  try {
    const args = parseArgs(argv, DEMO_OPTIONS);
    settings = {
      duration: args.integer('duration') ?? 8,
      sensors: args.integer('sensors') ?? 4,
      intervalMs: args.integer('interval') ?? 250,
      windowMs: args.integer('window') ?? 1000,
      threshold: args.integer('threshold') ?? 30,
    };
  } catch (error) {
    return reportFailure(io.stderr, 'demo', error);
  }
  const say = (line: string): void => void io.stdout.write(`${line}\n`);
  const broker = await deps.startBroker({ port: 0, host: '127.0.0.1' }).catch((error: unknown) => error as Error);
  if (broker instanceof Error) return reportFailure(io.stderr, 'demo', broker, 'cannot start the broker');

  const clients: CliClient[] = [];
  const connect = async (clientId: string): Promise<CliClient> => {
    // The embedded broker lives in this process: a lost connection is a failure to report, not to retry.
    const client = await deps.connectAsync({ url: broker.url, protocolVersion: 4, clientId, keepalive: 30, clean: true, connectTimeout: 5000, reconnect: false });
    clients.push(client);
    return client;
  };
  const started = Date.now();
  const readings = Math.max(1, Math.floor((settings.duration * 1000) / settings.intervalMs));
  const ids = Array.from({ length: settings.sensors }, (_, k) => `sensor-${k + 1}`);
  const sent = new Map<string, number[]>(ids.map((id) => [id, []]));
  const tracker = new SequenceTracker();
  const done$ = new Subject<void>();
  try {
    say(`rxmqtt demo: embedded broker on ${broker.url}`);
    say(`${settings.sensors} sensors publish to sensors/<id>/temperature every ${settings.intervalMs} ms at QoS 1 for ${settings.duration} s`);
    say(`monitor: subscribe ${FILTER} -> parse JSON -> group by sensor -> ${settings.windowMs} ms windows -> average -> alert above ${settings.threshold} °C`);
    say('');

    const monitor = await connect(MONITOR_ID);
    // Start the sensors only once the broker has the monitor's subscription, so nothing is missed.
    const subscribed = firstValueFrom(broker.events$.pipe(filter((e) => e.type === 'subscribed' && e.clientId === MONITOR_ID && e.topicFilter === FILTER)));
    const readings$: Observable<Reading> = monitor.subscribe(FILTER, { qos: 1 }).pipe(
      takeUntil(done$),
      map((m) => parseReading(m.topic, new TextDecoder().decode(m.payload))),
      filter((r): r is Reading => r !== undefined),
      tap((r) => tracker.received(r.sensor, r.seq)),
      share(),
    );
    const windowsDone = new Promise<void>((resolve, reject) => {
      readings$
        .pipe(sensorWindows({ windowMs: settings.windowMs, threshold: settings.threshold }))
        .subscribe({ next: (w) => say(formatWindow(w, Date.now() - started, settings.threshold)), error: reject, complete: resolve });
    });
    // Failures surface where windowsDone is awaited; this only keeps an early one from counting as unhandled.
    windowsDone.catch(() => undefined);
    await subscribed;

    const sensorClients = await Promise.all(ids.map((id) => connect(`demo-${id}`)));
    await firstValueFrom(
      forkJoin(
        ids.map((id, k) =>
          simulatedSensor(sensorClients[k]!, {
            id,
            base: 19 + 1.5 * k,
            // The last sensor heats up past the threshold, so the alert shows.
            drift: k === ids.length - 1 ? Math.max(4, settings.threshold - 19 - 1.5 * k + 4) : 0,
            intervalMs: settings.intervalMs,
            readings,
          }).pipe(tap((seq) => sent.get(id)!.push(seq))),
        ),
      ),
      { defaultValue: undefined },
    );
    // Every reading is acknowledged; give the last deliveries a bounded moment to arrive.
    await firstValueFrom(
      race(
        readings$.pipe(startWith(undefined), filter(() => tracker.hasAll(sent)), take(1)),
        timer(3000),
      ),
      { defaultValue: undefined },
    );
    done$.next();
    await windowsDone;
  } catch (error) {
    done$.next();
    const code = reportFailure(io.stderr, 'demo', error);
    await shutdown(clients, broker);
    return code;
  }
  await shutdown(clients, broker);
  const report = tracker.report(sent);
  say('');
  say(`summary: sent ${report.sent}, received ${report.received}, lost ${report.lost}, duplicates ${report.duplicates}`);
  if (report.lost > 0 || report.sent === 0) {
    io.stderr.write(`rxmqtt demo: ${report.sent === 0 ? 'nothing was sent' : `${report.lost} message(s) lost`}\n`);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

function formatWindow(w: SensorWindow, elapsedMs: number, threshold: number): string {
  const time = `${(elapsedMs / 1000).toFixed(1)}s`.padStart(6);
  const range = `${w.min.toFixed(1)} to ${w.max.toFixed(1)}`;
  const line = `${time}  ${w.sensor.padEnd(10)} avg ${w.average.toFixed(1).padStart(5)} °C  (${w.count} ${w.count === 1 ? 'reading' : 'readings'}, ${range})`;
  return w.alert ? `${line}  ALERT above ${threshold} °C` : line;
}

async function shutdown(clients: readonly CliClient[], broker: { close(): Promise<void> }): Promise<void> {
  await Promise.all(clients.map((c) => c.disconnect({ timeout: 2000 }).catch(() => undefined)));
  await broker.close().catch(() => undefined);
}
