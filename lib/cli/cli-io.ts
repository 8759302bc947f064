import { Observable, Subject, fromEvent, merge, map } from 'rxjs';

/** The process streams a command talks to (the real ones in `main`, others in tests). */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Emits 'SIGINT' or 'SIGTERM' when the user asks the process to stop. */
  readonly signals: Observable<'SIGINT' | 'SIGTERM'>;
}

/** The real process streams and signals. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signals: merge(
      fromEvent(process, 'SIGINT').pipe(map(() => 'SIGINT' as const)),
      fromEvent(process, 'SIGTERM').pipe(map(() => 'SIGTERM' as const)),
    ),
  };
}

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
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Only a vanished reader is expected here; anything else is reported as closed too, since
      // there is nobody left to print to.
      void error;
      this.markClosed();
    });
  }

  /** Whether the reader is gone. */
  get isClosed(): boolean {
    return this.closed;
  }

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
