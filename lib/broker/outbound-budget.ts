/**
 * How far a connection may run ahead of a client that reads slowly. Once the transport says its
 * send buffer is full (`send()` returned false), the broker may hand it `budget` bytes more until
 * the transport drains; past that the connection is not writable (QoS 0 messages are dropped, QoS
 * 1/2 wait in the session's queue), and if it stays so for `timeoutMs` the client is too slow.
 *
 * @example
 * ```ts
 * const budget = new OutboundBudget(1 << 20, 30_000, () => closeAsSlow());
 * budget.sent(bytes.length, transport.send(bytes), true);
 * transport.writable$.subscribe(() => budget.drained());
 * ```
 */
export class OutboundBudget {
  /** Set when `send()` returned false, until the transport drains. */
  private congested = false;
  /** Bytes handed to the transport since it became congested. */
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly budget: number,
    private readonly timeoutMs: number,
    /** Called once the connection stayed over budget for `timeoutMs`. */
    private readonly tooSlow: (timeoutMs: number) => void,
  ) {}

  /** False while over budget. */
  get writable(): boolean {
    return !this.congested || this.bytes < this.budget;
  }

  /**
   * `length` bytes were handed to the transport, whose `send()` returned `accepted`. Only a
   * transport that will say when it drains (`canDrain`) can become congested.
   */
  sent(length: number, accepted: boolean | void, canDrain: boolean): void {
    const wasWritable = this.writable;
    if (this.congested) this.bytes += length;
    else if (accepted === false && canDrain) this.congested = true;
    if (wasWritable && !this.writable && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.writable) this.tooSlow(this.timeoutMs);
      }, this.timeoutMs);
    }
  }

  /** The transport drained: the whole budget is back. */
  drained(): void {
    this.congested = false;
    this.bytes = 0;
    this.stop();
  }

  /** Forgets the pending timeout (the connection ended). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
