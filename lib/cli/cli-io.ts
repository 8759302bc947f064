import { type Observable, fromEvent, merge, map } from 'rxjs';

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
