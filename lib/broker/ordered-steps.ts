/** One step of work: done at once (undefined) or when the promise settles. */
export type Step = void | Promise<void>;

/**
 * Runs items through `handle` strictly in arrival order. A synchronous step costs nothing extra;
 * while an asynchronous one (an auth hook) is pending, later items wait in a backlog and run when it
 * settles. A rejected step goes to `onError`; nothing more runs once `live()` is false.
 *
 * @example
 * ```ts
 * const steps = new OrderedSteps<Packet>((p) => handlePacket(p), () => open, (e) => fail(e));
 * decoder.write(chunk, (packet) => steps.push(packet));
 * ```
 */
export class OrderedSteps<T> {
  private backlog: T[] | undefined;

  constructor(
    private readonly handle: (item: T) => Step,
    private readonly live: () => boolean,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Handles `item` now, or after the pending asynchronous step and the items queued behind it. */
  push(item: T): void {
    if (!this.live()) return;
    if (this.backlog !== undefined) {
      this.backlog.push(item);
      return;
    }
    this.wait(this.handle(item));
  }

  /** Drops the backlog (the connection is gone). */
  clear(): void {
    this.backlog = undefined;
  }

  private wait(step: Step): void {
    if (step === undefined) return;
    this.backlog ??= [];
    step.then(
      () => {
        const backlog = this.backlog ?? [];
        while (backlog.length > 0 && this.live()) {
          const next = this.handle(backlog.shift() as T);
          if (next !== undefined) {
            this.wait(next);
            return;
          }
        }
        this.backlog = undefined;
      },
      (error: unknown) => this.onError(error),
    );
  }
}
