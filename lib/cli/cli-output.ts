import { type Observable, Subject } from 'rxjs';

/**
 * Writes program output to stdout and notices when the reader went away (EPIPE, e.g. piped into
 * `head`): then `closed$` emits once, later writes are dropped, and no error reaches the process.
 *
 * @example
 * ```ts
 * const out = new CliOutput(process.stdout);
 * out.closed$.subscribe(() => stop());
 * out.write('hello\n');
 * ```
 */
export class CliOutput {
  private readonly closedSubject = new Subject<void>();
  private closed = false;
  /** Emits once when the reader closed the pipe; hot. */
  readonly closed$: Observable<void> = this.closedSubject.asObservable();

  constructor(private readonly stream: NodeJS.WritableStream) {
    // EPIPE (the reader went away) is the expected error; after any write error there is nobody
    // left to print to, so every error counts as closed.
    stream.on('error', () => this.markClosed());
  }

  /** Whether the reader is gone. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes to the stream, or drops the chunk once the reader is gone. */
  write(chunk: string | Uint8Array): void {
    if (this.closed) return;
    this.stream.write(chunk);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.closedSubject.next();
    this.closedSubject.complete();
  }
}
