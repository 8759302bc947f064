/*
 * A client process for the kill tests (spec/integration/resilience-kill.spec.ts). It runs on the
 * compiled library (dist/cjs, built by `npm test` before jest; RXMQTT_DIST overrides the folder) with
 * a FileInFlightStore, and reports on stdout, one line per event, written synchronously so that a
 * SIGKILL loses nothing already reported:
 *   ready <sessionPresent>     connected (and, as a subscriber, subscribed)
 *   C <n>                      publisher: message n completed (PUBCOMP)
 *   R <n>                      publisher: message n, resumed from the store, completed
 *   M <n>                      subscriber: message n delivered to the application
 *   done                       finished; the process exits 0
 * Configuration: one JSON argument { url, clientId, store, topic, mode, count?, killAt? }.
 *   mode 'publish':   publishes "0" .. "count-1" at QoS 2; with killAt, SIGKILLs itself right after
 *                     the store recorded the killAt-th PUBREC (between PUBREC and PUBCOMP).
 *   mode 'resume':    publishes nothing new; waits until the store's flows are finished, then
 *                     publishes "end" at QoS 2 and disconnects.
 *   mode 'subscribe': subscribes at QoS 2; with killAt, SIGKILLs itself right after the killAt-th
 *                     message was reported (before its PUBREC is sent). Ends on message "end".
 */
'use strict';
const path = require('node:path');
const { writeSync } = require('node:fs');

const dist = process.env.RXMQTT_DIST || path.join(__dirname, '..', '..', 'dist', 'cjs');
const { connect, FileInFlightStore } = require(path.join(dist, 'node', 'index.js'));
const config = JSON.parse(process.argv[2]);
const say = (line) => writeSync(1, line + '\n');
const text = (payload) => Buffer.from(payload).toString('utf8');

const file = new FileInFlightStore(config.store);
let releases = 0;
let settled;
const allSettled = new Promise((resolve) => (settled = resolve));
// The client sees only the InFlightStore interface; this wrapper reports and injects the kill.
const store = {
  putOutbound(entry) {
    file.putOutbound(entry);
    if (entry.state === 'pubrel' && ++releases === config.killAt && config.mode === 'publish') process.kill(process.pid, 'SIGKILL');
  },
  getOutbound: (id) => file.getOutbound(id),
  deleteOutbound(id) {
    const entry = file.getOutbound(id);
    const deleted = file.deleteOutbound(id);
    if (deleted && config.mode === 'resume' && entry.packet.topic === config.topic) say(`R ${text(entry.packet.payload)}`);
    if ([...file.outbound()].length === 0) settled();
    return deleted;
  },
  outbound: () => file.outbound(),
  addInbound: (id) => file.addInbound(id),
  hasInbound: (id) => file.hasInbound(id),
  deleteInbound: (id) => file.deleteInbound(id),
  inbound: () => file.inbound(),
  clear: () => file.clear(),
};

const client = connect(config.url, {
  clientId: config.clientId,
  clean: false,
  protocolVersion: 5,
  properties: { sessionExpiryInterval: 600 },
  keepalive: 30,
  store,
});

function fail(error) {
  process.stderr.write(`child failed: ${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(2);
}

async function main() {
  const state = await new Promise((resolve, reject) => {
    const s = client.state$.subscribe((st) => {
      if (st.status === 'connected') resolve(st);
      if (st.status === 'closed') reject(st.error || new Error('closed before connecting'));
    });
    void s;
  });
  if (config.mode === 'publish') {
    say(`ready ${state.sessionPresent}`);
    const pending = [];
    for (let i = 0; i < config.count; i++) {
      pending.push(client.publishAsync(config.topic, String(i), { qos: 2 }).then(() => say(`C ${i}`)));
    }
    await Promise.all(pending);
  } else if (config.mode === 'resume') {
    say(`ready ${state.sessionPresent}`);
    if ([...file.outbound()].length > 0) await allSettled;
    await client.publishAsync(config.topic, 'end', { qos: 2 });
  } else {
    let delivered = 0;
    await new Promise((resolve, reject) => {
      client.subscribe(config.topic, { qos: 2 }).subscribe({
        next: (message) => {
          const body = text(message.payload);
          if (body === 'end') return resolve();
          say(`M ${body}`);
          if (++delivered === config.killAt) process.kill(process.pid, 'SIGKILL');
        },
        error: reject,
      });
      // A QoS 1 round trip after SUBSCRIBE: the broker handles packets in order, so the
      // subscription is in force when its PUBACK arrives.
      client
        .publishAsync(`${config.topic}/barrier`, '', { qos: 1 })
        .then(() => say(`ready ${state.sessionPresent}`), reject);
    });
  }
  await client.disconnect({ timeout: 5000 });
  file.close();
  say('done');
  process.exit(0);
}

main().catch(fail);
