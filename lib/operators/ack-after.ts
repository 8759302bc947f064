import { from, type ObservableInput, type OperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { createOperatorSubscriber, operate } from './operate.js';

/** Something that can be acknowledged: an `MqttMessage` of a subscription with `ack: 'manual'`. */
export interface Acknowledgeable {
  /** Acknowledges the message (idempotent; see `MqttMessage.ack`). */
  ack(): void;
}

/** What {@link ackAfter} does when a handler fails. */
export type AckAfterFailure<M> =
  /** Default: the stream errors with the handler's error; the message (and every one not yet acked) stays unacknowledged. */
  | 'error'
  /** The message is acked and dropped (nothing is emitted for it); the stream goes on. */
  | 'ack'
  /**
   * Runs this instead (e.g. a publish to a dead-letter topic); when it completes the message is
   * acked and the stream goes on; when it fails too, the stream errors with its error.
   */
  | ((error: unknown, message: M) => ObservableInput<unknown>);

/** Options of {@link ackAfter}. */
export interface AckAfterOptions<M> {
  /** How many handlers run at once: a positive integer or Infinity. Default 1 (one message after the other). */
  readonly concurrency?: number;
  /** What a failed handler leads to. Default `'error'`. */
  readonly onError?: AckAfterFailure<M>;
}

/**
 * Runs `handler` (returning an Observable, a Promise or any ObservableInput) for each message, at
 * most `concurrency` at a time (later messages wait, unacknowledged, so they hold their units of
 * the client's inbound window: a slow handler slows the broker down instead of filling memory),
 * emits the handler's values, and acks the message once its handler completed. The
 * acknowledgements leave in arrival order whatever order the handlers finish in.
 *
 * A handler that fails (throws, rejects, errors) leaves its message unacknowledged. By default
 * (`onError: 'error'`) the stream then errors with that error; unsubscribing from a manual
 * subscription that holds unacked messages makes the client recycle the connection, so with a
 * persistent session (`clean: false`) the broker sends them again: at-least-once processing.
 * `onError: 'ack'` acks and drops the message instead; a function runs a fallback (e.g. a
 * dead-letter publish) and acks once it completed.
 *
 * Cold like its source: subscribing subscribes to the source (for a client subscription: SUBSCRIBE),
 * unsubscribing unsubscribes it and every running handler. Throws InvalidArgumentError for an
 * invalid `concurrency` or `onError`.
 *
 * @example
 * ```ts
 * client
 *   .subscribe('jobs/#', { qos: 1, ack: 'manual' })
 *   .pipe(ackAfter((m) => db.insert(m.json()), { concurrency: 8 }))
 *   .subscribe({ error: (e) => log.warn('will be redelivered', e) });
 * ```
 */
export function ackAfter<M extends Acknowledgeable, R>(
  handler: (message: M, index: number) => ObservableInput<R>,
  options: AckAfterOptions<M> = {},
): OperatorFunction<M, R> {
  if (typeof handler !== 'function') throw new InvalidArgumentError('handler', 'expected a function (message, index) => Observable | Promise');
  const concurrency = options.concurrency ?? 1;
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency > 0))) {
    throw new InvalidArgumentError('options.concurrency', `must be a positive integer or Infinity, got ${String(concurrency)}`);
  }
  const onError = options.onError ?? 'error';
  if (onError !== 'error' && onError !== 'ack' && typeof onError !== 'function') {
    throw new InvalidArgumentError('options.onError', "expected 'error', 'ack' or a function (error, message) => Observable | Promise");
  }
  return operate<M, R>((source, subscriber) => {
    let active = 0;
    let index = 0;
    let sourceDone = false;
    const waiting: M[] = [];
    const ignore = (): void => undefined;

    const finished = (): void => {
      active--;
      const next = waiting.shift();
      if (next !== undefined) run(next);
      else if (sourceDone && active === 0) subscriber.complete();
    };
    const succeeded = (message: M): void => {
      message.ack();
      finished();
    };
    const failed = (error: unknown, message: M): void => {
      if (onError === 'error') {
        subscriber.error(error);
        return;
      }
      if (onError === 'ack') {
        succeeded(message);
        return;
      }
      from(onError(error, message)).subscribe(createOperatorSubscriber<unknown>(subscriber, { next: ignore, complete: () => succeeded(message) }));
    };
    const run = (message: M): void => {
      active++;
      let result: ObservableInput<R>;
      try {
        result = handler(message, index++);
      } catch (error) {
        failed(error, message);
        return;
      }
      from(result).subscribe(
        createOperatorSubscriber<R>(subscriber, {
          next: (value) => subscriber.next(value),
          error: (error) => failed(error, message),
          complete: () => succeeded(message),
        }),
      );
    };

    source.subscribe(
      createOperatorSubscriber<M>(subscriber, {
        next: (message) => {
          if (active < concurrency) run(message);
          else waiting.push(message);
        },
        complete: () => {
          sourceDone = true;
          if (active === 0 && waiting.length === 0) subscriber.complete();
        },
      }),
    );
  });
}
