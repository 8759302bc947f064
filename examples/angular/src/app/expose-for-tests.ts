import type { ApplicationRef } from '@angular/core';

/** What the browser test reads: whether ApplicationRef is stable, and every change of it. */
export interface ExampleProbe {
  mode: 'zone' | 'zoneless';
  stable: boolean;
  stableChanges: number;
  hasZone: boolean;
}

/** Puts an {@link ExampleProbe} on `window.rxmqttExample`, kept up to date from `appRef.isStable`. */
export function exposeForTests(appRef: ApplicationRef, mode: 'zone' | 'zoneless'): void {
  const probe: ExampleProbe = { mode, stable: false, stableChanges: 0, hasZone: typeof (globalThis as { Zone?: unknown }).Zone !== 'undefined' };
  (globalThis as unknown as { rxmqttExample: ExampleProbe }).rxmqttExample = probe;
  appRef.isStable.subscribe((stable) => {
    probe.stable = stable;
    probe.stableChanges += 1;
  });
}
