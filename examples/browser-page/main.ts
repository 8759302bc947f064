/**
 * Example: a browser page showing live sensor readings over WebSocket. The broker URL comes from
 * the page's `?broker=` parameter (default ws://127.0.0.1:8080): run `rxmqtt demo` or
 * `rxmqtt broker --ws-port 8080` with sensors publishing to `sensors/<id>/temperature`.
 *
 * Bundle it with any bundler, for example:
 *   npx esbuild examples/browser-page/main.ts --bundle --outfile=examples/browser-page/main.js
 */
import { connect, json, topicPattern } from 'rxmqtt';

interface Reading {
  readonly seq: number;
  readonly celsius: number;
}
const isReading = (v: unknown): v is Reading => typeof (v as Reading | null)?.celsius === 'number';

const url = new URLSearchParams(location.search).get('broker') ?? 'ws://127.0.0.1:8080';
const client = connect(url);
const rows = new Map<string, HTMLTableRowElement>();
const table = document.getElementById('readings') as HTMLTableSectionElement;
const state = document.getElementById('state') as HTMLElement;

client.state$.subscribe((s) => (state.textContent = s.status));

client
  .subscribe(topicPattern('sensors/:id/temperature'), { qos: 1 })
  .pipe(json(isReading, { invalid: 'skip' }))
  .subscribe((m) => {
    let row = rows.get(m.params.id);
    if (row === undefined) {
      row = table.insertRow();
      row.dataset.sensor = m.params.id;
      for (let i = 0; i < 3; i++) row.insertCell();
      rows.set(m.params.id, row);
    }
    row.cells[0].textContent = m.params.id;
    row.cells[1].textContent = m.value.celsius.toFixed(2);
    row.cells[2].textContent = String(m.value.seq);
  });
