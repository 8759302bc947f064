import { Observable } from 'rxjs';

/**
 * Reads a stream to its end and resolves with all its bytes (for `rxmqtt pub -s`).
 *
 * @example
 * ```ts
 * const payload = await readAll(process.stdin);
 * ```
 */
export function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    stream.once('error', reject);
  });
}

/**
 * The lines of a stream as they arrive (for `rxmqtt pub -l`), without their `\n` or `\r\n`; empty
 * lines are skipped, as mosquitto_pub does. Cold: subscribing starts reading; it completes at the
 * end of the stream (after a last line without a newline) and errors when the stream fails.
 * Unsubscribing stops listening (the stream is paused, not destroyed).
 *
 * @example
 * ```ts
 * lines(process.stdin).subscribe((line) => console.log('got', line));
 * ```
 */
export function lines(stream: NodeJS.ReadableStream): Observable<string> {
  return new Observable<string>((subscriber) => {
    const decoder = new TextDecoder();
    let pending = '';
    const emit = (text: string): void => {
      const line = text.endsWith('\r') ? text.slice(0, -1) : text;
      if (line !== '') subscriber.next(line);
    };
    const onData = (chunk: Buffer | string): void => {
      pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline >= 0 && !subscriber.closed) {
        emit(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    };
    const onEnd = (): void => {
      pending += decoder.decode();
      emit(pending);
      pending = '';
      subscriber.complete();
    };
    const onError = (error: Error): void => subscriber.error(error);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    return () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
    };
  });
}
