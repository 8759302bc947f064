/**
 * Example: at-least-once job processing in a Node service.
 *
 * Workers share the jobs of `jobs/#` through a shared subscription (`$share/workers/jobs/#`): the
 * broker hands each job to one of them. Each worker keeps a persistent session (a stable client id,
 * `clean: false`), so jobs published while it is away wait for it, and QoS 1 resends a job whose
 * acknowledgement was lost. Processing must therefore be idempotent: here each job carries an id
 * and the "database" ignores ids it has already stored.
 *
 * Acknowledgement is manual, through `ackAfter`: the PUBACK for a job leaves only once its save
 * succeeded (in arrival order, docs/flow-control.md). A process that dies before that gets the job
 * again from its persistent session; a save that fails errors the pipeline, which recycles the
 * connection so the broker redelivers.
 *
 * Run it against a broker (two terminals, or more):
 *   npx tsx examples/at-least-once-worker.ts mqtt://127.0.0.1:1884 worker-1
 */
import { filter, type Observable } from 'rxjs';
import { connect, type MqttClient } from 'rxmqtt/node';
import { ackAfter, json } from 'rxmqtt';

/** A job as publishers send it: JSON on `jobs/<kind>`. */
export interface Job {
  readonly id: string;
  readonly work: number;
}

const isJob = (v: unknown): v is Job => typeof (v as Job | null)?.id === 'string' && typeof (v as Job).work === 'number';

/** Where processed jobs go: an idempotent store keyed by job id (a database table in real life). */
export class JobTable {
  readonly rows = new Map<string, { worker: string; result: number }>();

  /** Stores the result once; a job seen again (a QoS 1 redelivery) is ignored. */
  async save(id: string, worker: string, result: number): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, 1)); // the round trip to a database
    if (this.rows.has(id)) return false;
    this.rows.set(id, { worker, result });
    return true;
  }
}

/** A running worker: what it processed, and how to stop it. */
export interface Worker {
  readonly client: MqttClient;
  /** Emits the id of each job this worker stored. */
  readonly processed$: Observable<string>;
  stop(): Promise<void>;
}

/**
 * Starts one worker of the `workers` share group. Up to four jobs are saved at once; a malformed
 * job is skipped and logged rather than stopping the worker.
 */
export function startWorker(url: string, workerId: string, table: JobTable): Worker {
  // At most 20 jobs held unacknowledged: a slow database slows the broker down instead of filling memory.
  const client = connect(url, { clientId: workerId, clean: false, receiveMaximum: 20, reconnect: { minDelay: 100, maxDelay: 5000 } });
  const processed$ = client.subscribe('$share/workers/jobs/#', { qos: 1, ack: 'manual' }).pipe(
    json(isJob, { invalid: 'skip', onInvalid: (e) => console.warn(`${workerId}: skipped ${e.message}`) }),
    ackAfter((m) => table.save(m.value.id, workerId, m.value.work * 2).then((stored) => (stored ? m.value.id : undefined)), { concurrency: 4 }),
    filter((id): id is string => id !== undefined),
  );
  return { client, processed$, stop: () => client.disconnect() };
}

if (require.main === module) {
  const [url = 'mqtt://127.0.0.1:1883', workerId = `worker-${process.pid}`] = process.argv.slice(2);
  const worker = startWorker(url, workerId, new JobTable());
  worker.processed$.subscribe((id) => console.log(`${workerId} processed ${id}`));
  process.once('SIGINT', () => void worker.stop());
}
