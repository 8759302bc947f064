import { Observable } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';

/**
 * Why the page woke up: it became visible again (`visibilitychange`), the network came back
 * (`online`), or the browser unfroze it (`resume`, Page Lifecycle API).
 */
export type PageWakeup = 'visible' | 'online' | 'resume';

/** The part of `EventTarget` that {@link pageWakeups} uses. */
export interface WakeupEventSource {
  /** Adds `listener` for events named `type` (a DOM `EventTarget`'s method). */
  addEventListener(type: string, listener: () => void): void;
  /** Removes a listener added with {@link addEventListener}. */
  removeEventListener(type: string, listener: () => void): void;
}

/** What {@link pageWakeups} listens to: a window (or worker) global, with its `document` if any. */
export interface PageWakeupTarget {
  /** The global's own `addEventListener` (for `online`); absent outside browsers. */
  readonly addEventListener?: WakeupEventSource['addEventListener'];
  /** The global's own `removeEventListener`. */
  readonly removeEventListener?: WakeupEventSource['removeEventListener'];
  /** The page's document (for `visibilitychange` and `resume`); absent in workers and Node. */
  readonly document?: Partial<WakeupEventSource> & {
    /** `'visible'` or `'hidden'`, as the DOM's `document.visibilityState`. */
    readonly visibilityState?: string;
  };
}

/**
 * The moments a page's connection may have died unseen and should be checked at once: the page is
 * visible again after being hidden (its timers were throttled, or it was frozen), the browser
 * unfroze it, or the network came back. Listens to `visibilitychange` (emitting only when
 * `document.visibilityState` is `'visible'`) and `resume` on `target.document`, and `online` on
 * `target`. Where those APIs are missing (Node, Deno, a worker has `online` only) the missing
 * ones never fire: it emits nothing for them.
 *
 * Cold: each subscription adds its own listeners and unsubscribing removes them. It never
 * completes and never errors. Throws {@link InvalidArgumentError} for a target that is not an object.
 *
 * Give it to the keep alive's `probe$` (a connected client sends PINGREQ at once with a short
 * deadline) and to `reconnect.trigger$` (a client waiting to reconnect tries at once).
 *
 * @example
 * ```ts
 * const client = connect('wss://broker.example.com/mqtt', { reconnect: { trigger$: pageWakeups() } });
 * pageWakeups().subscribe((why) => console.log('woke up:', why)); // 'visible' | 'online' | 'resume'
 * ```
 */
export function pageWakeups(target: PageWakeupTarget = globalThis as PageWakeupTarget): Observable<PageWakeup> {
  if (typeof target !== 'object' || target === null) {
    throw new InvalidArgumentError('target', `expected a window-like object, got ${target === null ? 'null' : typeof target}`);
  }
  return new Observable<PageWakeup>((subscriber) => {
    const removers: (() => void)[] = [];
    const listen = (source: Partial<WakeupEventSource> | undefined, type: string, listener: () => void): void => {
      if (source === undefined || typeof source.addEventListener !== 'function' || typeof source.removeEventListener !== 'function') return;
      source.addEventListener(type, listener);
      removers.push(() => source.removeEventListener?.(type, listener));
    };
    const doc = target.document;
    listen(doc, 'visibilitychange', () => {
      if (doc?.visibilityState === 'visible') subscriber.next('visible');
    });
    listen(doc, 'resume', () => subscriber.next('resume'));
    listen(target, 'online', () => subscriber.next('online'));
    return () => {
      for (const remove of removers) remove();
    };
  });
}
