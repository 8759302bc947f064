import { Observable, Subscriber, type OperatorFunction, type TeardownLogic } from 'rxjs';

/** What an operator does with each notification of the stream it subscribes to. */
export interface OperatorHandlers<T> {
  /** Called for each value; a throw errors the destination (the value is neither passed on nor retried). */
  readonly next?: (value: T) => void;
  /** Called when the source errors; default: pass the error on. A throw errors the destination with it. */
  readonly error?: (error: unknown) => void;
  /** Called when the source completes; default: complete the destination. A throw errors the destination. */
  readonly complete?: () => void;
}

/**
 * The subscriber an operator subscribes to its source with (see {@link createOperatorSubscriber}).
 * It is a child of `destination`: when the destination ends (error, complete, unsubscribe), this
 * subscriber is unsubscribed too, so a handler never runs after the downstream is gone.
 */
class OperatorSubscriber<T> extends Subscriber<T> {
  private readonly sink: Subscriber<unknown>;
  private readonly onNext: ((value: T) => void) | undefined;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly onComplete: (() => void) | undefined;

  constructor(destination: Subscriber<unknown>, handlers: OperatorHandlers<T>) {
    super(destination); // adds this subscriber to the destination's teardown
    this.sink = destination;
    this.onNext = handlers.next;
    this.onError = handlers.error;
    this.onComplete = handlers.complete;
  }

  protected override _next(value: T): void {
    const onNext = this.onNext;
    if (onNext === undefined) {
      this.sink.next(value);
      return;
    }
    try {
      onNext(value);
    } catch (error) {
      // A throw inside the operator (a store failing, an encoder refusing) ends the stream with that
      // error instead of escaping as an uncaught exception while the source keeps running.
      this.sink.error(error);
    }
  }

  protected override _error(error: unknown): void {
    const onError = this.onError;
    try {
      if (onError === undefined) this.sink.error(error);
      else onError(error);
    } catch (thrown) {
      this.sink.error(thrown);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    const onComplete = this.onComplete;
    try {
      if (onComplete === undefined) this.sink.complete();
      else onComplete();
    } catch (thrown) {
      this.sink.error(thrown);
    } finally {
      this.unsubscribe();
    }
  }
}

/**
 * Creates the subscriber an operator (or a flow) subscribes to its source with, in the style of
 * RxJS 7's internal `createOperatorSubscriber`: `handlers.next` runs for each value and a throw inside
 * it errors `destination` (and unsubscribes from the source) instead of escaping as an uncaught
 * exception. Omitted handlers pass the notification on. The handlers are created once per
 * subscription, so nothing is allocated per value.
 *
 * The returned subscriber is a child of `destination`: unsubscribing the destination unsubscribes
 * the source, and no handler runs once the destination has ended.
 *
 * @example
 * ```ts
 * new Observable<number>((subscriber) =>
 *   source.subscribe(createOperatorSubscriber(subscriber, { next: (n) => subscriber.next(check(n)) })),
 * );
 * ```
 */
export function createOperatorSubscriber<T>(destination: Subscriber<unknown>, handlers: OperatorHandlers<T>): Subscriber<T> {
  return new OperatorSubscriber<T>(destination, handlers);
}

/**
 * Builds an operator from `init`, in the style of RxJS 7's internal `operate`: for each subscription
 * to the resulting Observable, `init` is called with the source and the downstream subscriber, and
 * usually subscribes to the source with {@link createOperatorSubscriber}. A throw inside `init`
 * errors the subscriber. Whatever `init` returns is torn down when the subscriber ends.
 *
 * Cold like the source: nothing happens until the result is subscribed.
 *
 * @example
 * ```ts
 * const double = operate<number, number>((source, subscriber) => {
 *   source.subscribe(createOperatorSubscriber(subscriber, { next: (n) => subscriber.next(n * 2) }));
 * });
 * of(1, 2).pipe(double).subscribe(console.log); // 2, 4
 * ```
 */
export function operate<T, R>(init: (source: Observable<T>, subscriber: Subscriber<R>) => TeardownLogic): OperatorFunction<T, R> {
  return (source) => new Observable<R>((subscriber) => init(source, subscriber));
}
