/** Delivery counts computed by {@link SequenceTracker.report}. */
export interface DeliveryReport {
  /** Messages the senders say they sent (acknowledged by the broker). */
  readonly sent: number;
  /** Distinct messages received. */
  readonly received: number;
  /** Sent messages never received. */
  readonly lost: number;
  /** Receptions of a message already received. */
  readonly duplicates: number;
  /** Received sequence numbers that no sender reported sending. */
  readonly unexpected: number;
}

/**
 * Records which sequence numbers arrived from each source, and compares them with what the sources
 * report as sent. Loss is computed from the actual numbers, never assumed: a sequence number that was
 * sent but not seen counts as lost, a number seen twice counts as a duplicate.
 *
 * @example
 * ```ts
 * const tracker = new SequenceTracker();
 * tracker.received('s1', 0); tracker.received('s1', 2);
 * tracker.report(new Map([['s1', [0, 1, 2]]])); // { sent: 3, received: 2, lost: 1, duplicates: 0, unexpected: 0 }
 * ```
 */
export class SequenceTracker {
  private readonly seen = new Map<string, Set<number>>();
  private duplicateCount = 0;
  private distinct = 0;

  /** Records one reception; returns false when it is a duplicate. */
  received(source: string, seq: number): boolean {
    let set = this.seen.get(source);
    if (set === undefined) {
      set = new Set();
      this.seen.set(source, set);
    }
    if (set.has(seq)) {
      this.duplicateCount++;
      return false;
    }
    set.add(seq);
    this.distinct++;
    return true;
  }

  /** Distinct messages received so far. */
  get receivedCount(): number {
    return this.distinct;
  }

  /** Whether every sent sequence number has been received. */
  hasAll(sent: ReadonlyMap<string, Iterable<number>>): boolean {
    return this.report(sent).lost === 0;
  }

  /** Compares the receptions with `sent`: source -> the sequence numbers it sent. */
  report(sent: ReadonlyMap<string, Iterable<number>>): DeliveryReport {
    let sentCount = 0;
    let lost = 0;
    let expected = 0;
    for (const [source, seqs] of sent) {
      const seen = this.seen.get(source);
      for (const seq of seqs) {
        sentCount++;
        if (seen?.has(seq)) expected++;
        else lost++;
      }
    }
    return { sent: sentCount, received: this.distinct, lost, duplicates: this.duplicateCount, unexpected: this.distinct - expected };
  }
}
