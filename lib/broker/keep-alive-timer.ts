/**
 * The one timer of a broker connection: first the connect timeout, then, once connected, the keep
 * alive (1.5 times the negotiated value [MQTT-3.1.2-24]). It can be paused while the broker does
 * not read the connection (a held publisher): a client cannot be heard then, so it cannot be
 * blamed for silence; on resume the keep alive counts again from that moment.
 *
 * @example
 * ```ts
 * const timer = new KeepAliveTimer((why) => close(why));
 * timer.awaitConnect(10_000);
 * socket.on('data', () => timer.heard());
 * timer.connected(60); // closes after 90 s without a byte
 * ```
 */
export class KeepAliveTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastHeard = Date.now();
  private periodMs = 0;
  private paused = false;

  /** `expired` is called once: 'connect' when no CONNECT came in time, 'keepAlive' after silence. */
  constructor(private readonly expired: (why: 'connect' | 'keepAlive') => void) {}

  /** Bytes arrived (called for every chunk: one clock read, no timer work). */
  heard(): void {
    this.lastHeard = Date.now();
  }

  /** Arms the connect timeout. */
  awaitConnect(ms: number): void {
    this.clear();
    this.periodMs = 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expired('connect');
    }, ms);
  }

  /** Connected with a keep alive of `seconds` (0: none): the connect timeout ends, the keep alive starts. */
  connected(seconds: number): void {
    this.clear();
    this.periodMs = seconds * 1500; // 1.5 times the keep alive [MQTT-3.1.2-24]
    if (this.periodMs > 0 && !this.paused) this.arm(this.periodMs);
  }

  /** Stops the keep alive while the connection is not read. Idempotent. */
  pause(): void {
    this.paused = true;
    if (this.periodMs > 0) this.clear();
  }

  /** Reading again: the keep alive restarts, counting from now. Idempotent. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastHeard = Date.now();
    if (this.periodMs > 0 && this.timer === undefined) this.arm(this.periodMs);
  }

  /** True while paused (for tests and statistics). */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops for good (the connection ended). */
  stop(): void {
    this.clear();
    this.periodMs = 0;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.onTimer, ms);
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const idle = Date.now() - this.lastHeard;
    // Nothing heard for 1.5 times the keep alive: close as if the network failed [MQTT-3.1.2-24].
    if (idle >= this.periodMs) this.expired('keepAlive');
    else this.arm(this.periodMs - idle);
  };
}
