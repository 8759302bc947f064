/*
 * A consumer process for the shared-subscription tests (spec/integration/shared-subscriptions.spec.ts).
 * It runs on the compiled library (dist/cjs; RXMQTT_DIST overrides the folder), connects with MQTT 5
 * and a persistent session (clean false, Session Expiry Interval 300 s, Receive Maximum `window`),
 * subscribes to `filter` at QoS 1 with manual acknowledgement, and reports on stdout, one line per
 * event, written synchronously before the message is acknowledged (so a SIGKILL never loses a line
 * for a message the broker was told was processed):
 *   ready <sessionPresent>   connected and subscribed
 *   M <payload>              a message delivered to the application (then acked)
 *   done                     disconnected after SIGTERM; the process exits 0
 * Configuration: one JSON argument { url, clientId, filter, window }.
 */
'use strict';
const path = require('node:path');
const { writeSync } = require('node:fs');

const dist = process.env.RXMQTT_DIST || path.join(__dirname, '..', '..', 'dist', 'cjs');
const { connect } = require(path.join(dist, 'node', 'index.js'));
const config = JSON.parse(process.argv[2]);
const say = (line) => writeSync(1, line + '\n');

const client = connect(config.url, {
  protocolVersion: 5,
  clientId: config.clientId,
  clean: false,
  receiveMaximum: config.window,
  properties: { sessionExpiryInterval: 300 },
});
const subscription = client.subscribe(config.filter, { qos: 1, ack: 'manual' }).subscribe({
  next: (message) => {
    say(`M ${Buffer.from(message.payload).toString('utf8')}`);
    message.ack();
  },
  error: (error) => {
    process.stderr.write(`subscription error: ${error && error.message}\n`);
    process.exit(2);
  },
});
// "ready" once the broker confirmed the subscription: a QoS 1 round trip on the same connection after it.
client.state$.subscribe((state) => {
  if (state.status !== 'connected') return;
  client.publishAsync(`rxmqtt-ready/${config.clientId}`, '', { qos: 1 }).then(
    () => say(`ready ${state.sessionPresent}`),
    () => undefined,
  );
});
process.on('SIGTERM', () => {
  subscription.unsubscribe();
  client.disconnect({ timeout: 2000 }).then(
    () => {
      say('done');
      process.exit(0);
    },
    () => process.exit(1),
  );
});
