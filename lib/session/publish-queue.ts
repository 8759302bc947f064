import { Observable, type Subscriber } from 'rxjs';
import { QueueFullError } from '../errors.js';
import { OfflineBudget, type OfflineQueueOptions } from './offline-queue.js';
import type { PublishJob } from './publish-job.js';

/**
 * The publishes not yet started, in order: those made while no connection is attached (bounded by
 * the offline queue's limits) and those waiting for a slot of the in-flight window. It is the
 * window's source ({@link stream}); a job leaves it when its flow starts ({@link take}) or its
 * publisher unsubscribes ({@link remove}).
 *
 * @example
 * ```ts
 * const queue = new PublishQueue({ maxMessages: 100 });
 * if (queue.admitOffline(job)) queue.add(job);
 * queue.stream().pipe(mergeWithin(20, (job) => (queue.take(job) ? run(job) : EMPTY))).subscribe();
 * ```
 */
export class PublishQueue {
  private jobs = new Set<PublishJob>();
  private readonly budget: OfflineBudget;
  private listener: Subscriber<PublishJob> | undefined = undefined;

  /** Throws InvalidArgumentError for invalid offline queue options. */
  constructor(offlineQueue?: OfflineQueueOptions) {
    this.budget = new OfflineBudget(offlineQueue);
  }

  /** Publishes waiting. */
  get size(): number {
    return this.jobs.size;
  }

  /**
   * Makes room for a publish made while detached, within the offline queue's limits: with
   * `drop-oldest` the oldest offline jobs fail with QueueFullError to make room. False (and the job
   * failed with QueueFullError) when it does not fit.
   */
  admitOffline(job: PublishJob): boolean {
    const { budget } = this;
    if (!budget.fits(job.bytes) && budget.limits.overflow === 'drop-oldest' && budget.couldFit(job.bytes)) {
      for (const old of this.jobs) {
        if (budget.fits(job.bytes)) break;
        if (!old.offline) continue;
        this.remove(old);
        old.settle(new QueueFullError(`the offline queue is full: dropped the oldest publish to '${old.packet.topic}'`));
      }
    }
    if (!budget.fits(job.bytes)) {
      job.settle(new QueueFullError(`the offline queue is full (${budget.describe()}): publish to '${job.packet.topic}' refused`));
      return false;
    }
    job.offline = true;
    budget.add(job.bytes);
    return true;
  }

  /** Appends `job`; a running {@link stream} emits it. */
  add(job: PublishJob): void {
    this.jobs.add(job);
    this.listener?.next(job);
  }

  /** Puts `jobs` ahead of those waiting, in their order (not emitted to a running stream). */
  addFirst(jobs: readonly PublishJob[]): void {
    if (jobs.length === 0) return;
    const rest = this.jobs;
    this.jobs = new Set(jobs);
    for (const job of rest) this.jobs.add(job);
  }

  /** Takes `job` out to start it: false when it already left (unsubscribed, dropped, or started). */
  take(job: PublishJob): boolean {
    if (!this.jobs.has(job)) return false;
    this.remove(job);
    job.started = true;
    return true;
  }

  /** Removes `job` (and frees its room in the offline budget). */
  remove(job: PublishJob): void {
    if (!this.jobs.delete(job) || !job.offline) return;
    job.offline = false;
    this.budget.remove(job.bytes);
  }

  /** Empties the queue, returning what it held. */
  clear(): PublishJob[] {
    const jobs = [...this.jobs];
    this.jobs = new Set();
    this.budget.clear();
    return jobs;
  }

  /**
   * The jobs waiting now, in order, then each one added later, until unsubscribed (one stream at a
   * time: a connection's window). Jobs added while the waiting ones are being emitted come after them.
   */
  stream(): Observable<PublishJob> {
    return new Observable<PublishJob>((subscriber) => {
      // A Set's iteration also visits what is added during it, in order: nothing is missed or reordered.
      for (const job of this.jobs) {
        if (subscriber.closed) return;
        subscriber.next(job);
      }
      this.listener = subscriber;
      return () => {
        if (this.listener === subscriber) this.listener = undefined;
      };
    });
  }
}
