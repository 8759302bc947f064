import { pageWakeups, type PageWakeup } from '../../lib/transport/page-wakeups.js';
import { InvalidArgumentError } from '../../lib/errors.js';

/** A fake window: a real EventTarget (Node's) with a `document` EventTarget whose visibility we set. */
function fakeWindow(): { win: EventTarget & { document: EventTarget & { visibilityState: string } }; counts: () => Record<string, number> } {
  const listeners: Record<string, number> = {};
  const counted = <T extends EventTarget>(t: T, prefix: string): T => {
    const add = t.addEventListener.bind(t);
    const remove = t.removeEventListener.bind(t);
    t.addEventListener = (type: string, l: EventListenerOrEventListenerObject | null) => {
      listeners[`${prefix}${type}`] = (listeners[`${prefix}${type}`] ?? 0) + 1;
      add(type, l);
    };
    t.removeEventListener = (type: string, l: EventListenerOrEventListenerObject | null) => {
      listeners[`${prefix}${type}`] = (listeners[`${prefix}${type}`] ?? 0) - 1;
      remove(type, l);
    };
    return t;
  };
  const document = counted(Object.assign(new EventTarget(), { visibilityState: 'hidden' }), 'document.');
  const win = counted(Object.assign(new EventTarget(), { document }), '');
  return { win, counts: () => ({ ...listeners }) };
}

describe('pageWakeups', () => {
  it('emits "visible" when the document becomes visible, and nothing when it becomes hidden', () => {
    const { win } = fakeWindow();
    const seen: PageWakeup[] = [];
    const sub = pageWakeups(win).subscribe((w) => seen.push(w));
    win.document.visibilityState = 'hidden';
    win.document.dispatchEvent(new Event('visibilitychange'));
    expect(seen).toEqual([]);
    win.document.visibilityState = 'visible';
    win.document.dispatchEvent(new Event('visibilitychange'));
    expect(seen).toEqual(['visible']);
    sub.unsubscribe();
  });

  it('emits "online" when the network comes back (not on "offline"), and "resume" when the page is unfrozen', () => {
    const { win } = fakeWindow();
    const seen: PageWakeup[] = [];
    const sub = pageWakeups(win).subscribe((w) => seen.push(w));
    win.dispatchEvent(new Event('offline'));
    win.dispatchEvent(new Event('online'));
    win.document.dispatchEvent(new Event('freeze'));
    win.document.dispatchEvent(new Event('resume'));
    expect(seen).toEqual(['online', 'resume']);
    sub.unsubscribe();
  });

  it('is cold: listeners are added per subscription and removed on unsubscribe', () => {
    const { win, counts } = fakeWindow();
    const wakeups = pageWakeups(win);
    expect(counts()).toEqual({});
    const seen: PageWakeup[] = [];
    const a = wakeups.subscribe((w) => seen.push(w));
    const b = wakeups.subscribe((w) => seen.push(w));
    expect(counts()).toEqual({ 'document.visibilitychange': 2, 'document.resume': 2, online: 2 });
    win.dispatchEvent(new Event('online'));
    expect(seen).toEqual(['online', 'online']);
    a.unsubscribe();
    b.unsubscribe();
    expect(counts()).toEqual({ 'document.visibilitychange': 0, 'document.resume': 0, online: 0 });
    win.dispatchEvent(new Event('online'));
    win.document.visibilityState = 'visible';
    win.document.dispatchEvent(new Event('visibilitychange'));
    expect(seen).toEqual(['online', 'online']);
  });

  it('in a worker (no document) emits "online" only', () => {
    const worker = new EventTarget();
    const seen: PageWakeup[] = [];
    const sub = pageWakeups(worker).subscribe((w) => seen.push(w));
    worker.dispatchEvent(new Event('online'));
    worker.dispatchEvent(new Event('visibilitychange'));
    expect(seen).toEqual(['online']);
    sub.unsubscribe();
  });

  it('in Node (the default target has no such events) emits nothing and stays open, without completing', () => {
    expect(typeof (globalThis as { addEventListener?: unknown }).addEventListener).toBe('undefined');
    const events: string[] = [];
    const sub = pageWakeups().subscribe({ next: () => events.push('next'), complete: () => events.push('complete'), error: () => events.push('error') });
    const bare = pageWakeups({}).subscribe({ next: () => events.push('next'), complete: () => events.push('complete'), error: () => events.push('error') });
    expect([sub.closed, bare.closed, events]).toEqual([false, false, []]);
    sub.unsubscribe();
    bare.unsubscribe();
  });

  it('throws InvalidArgumentError for a target that is not an object', () => {
    expect(() => pageWakeups(null as never)).toThrow(InvalidArgumentError);
    expect(() => pageWakeups(42 as never)).toThrow(/target/);
  });
});
