import type { NgZone } from '@angular/core';
import type { MonoTypeOperatorFunction } from 'rxjs';
import { createOperatorSubscriber, operate } from '../operators/operate.js';

/**
 * Subscribes to the source outside the Angular zone and delivers every notification inside it.
 * Whatever the source starts when subscribed (SUBSCRIBE on the wire, timeouts, the socket's
 * listeners) is then not tracked by zone.js, so it neither keeps the application unstable nor
 * triggers change detection by itself, while values reach the application in the zone, where a
 * zone app's change detection sees them. Unsubscribing also runs outside. With a zoneless app
 * (`NoopNgZone`) both are plain calls.
 *
 * @example
 * ```ts
 * client.subscribe('a/#').pipe(throughZone(inject(NgZone))).subscribe((m) => (this.last = m.text()));
 * ```
 */
export function throughZone<T>(zone: NgZone): MonoTypeOperatorFunction<T> {
  return operate<T, T>((source, subscriber) => {
    const inner = createOperatorSubscriber<T>(subscriber, {
      next: (value) => zone.run(() => subscriber.next(value)),
      error: (error) => zone.run(() => subscriber.error(error)),
      complete: () => zone.run(() => subscriber.complete()),
    });
    zone.runOutsideAngular(() => source.subscribe(inner));
    return () => zone.runOutsideAngular(() => inner.unsubscribe());
  });
}
