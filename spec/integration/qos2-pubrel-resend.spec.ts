/**
 * A broker that has sent PUBREL must never send that message's PUBLISH again [MQTT-4.3.3-6] (5.0)
 * [MQTT-4.3.3-1] (3.1.1): on a resumed session it resends the PUBREL [MQTT-4.4.0-1]. The receiver
 * released the identifier when it sent PUBCOMP, so a PUBLISH it gets afterwards is a new message
 * [MQTT-4.3.3-12] (5.0) [MQTT-4.3.3-2] (3.1.1), and a broker resending it duplicates the message.
 *
 * The sequence, raw packets on real sockets (docs/reliability.md, "QoS 2 through Mosquitto"):
 *   1. S subscribes at QoS 2 with a persistent session; a QoS 2 message reaches it as PUBLISH id=n.
 *   2. S answers PUBREC, gets PUBREL, and loses the link before it sends PUBCOMP.
 *   3. S reconnects, and that link dies before the broker could write anything after reading the
 *      CONNECT (a TCP reset right behind the CONNECT).
 *   4. S reconnects again. The broker must resend PUBREL id=n.
 * Mosquitto 2.0.11 (and the 2.0 line up to 2.0.20 by its source) resends PUBLISH id=n with DUP in
 * step 4: step 3's reconnect moved the message to "resend PUBREL", and step 4's reconnect turns
 * every state other than "waiting for PUBCOMP" back into "publish".
 */
import { connect } from '../../lib/node/connect.js';
import type { Packet } from '../../lib/codec/packet.js';
import { startBroker, type BrokerHandle } from '../../lib/broker/index.js';
import { RawClient } from '../broker/raw-client.js';
import { describeWithMosquitto, mosquittoVersion, startMosquitto, type MosquittoInstance } from '../helpers/mosquitto.js';
import { uniqueTopic } from '../helpers/client-utils.js';

jest.setTimeout(30_000);

const connectPacket = (clientId: string, protocolVersion: 4 | 5): Packet => ({
  type: 'connect',
  protocolVersion,
  clientId,
  cleanStart: false,
  keepAlive: 60,
  ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
});

const QUICK_LINKS = 24;

async function nextPacket(client: RawClient, seen: number, protocolVersion: 4 | 5): Promise<Packet> {
  return (await client.packets(seen + 1, protocolVersion))[seen];
}

/**
 * Runs steps 1-4 against the broker at `port` and returns what step 4's link got after CONNACK.
 * With `quickReconnect` false, step 3 is left out (the control case).
 */
async function replay(port: number, url: string, v: 4 | 5, quickReconnect = true): Promise<{ packetId: number; answer: Packet }> {
  const clientId = `pubrel-resend-${Math.random().toString(36).slice(2, 8)}`;
  const topic = uniqueTopic('repro/pubrel');
  const first = await RawClient.open(port);
  first.send(connectPacket(clientId, v), v);
  expect(await nextPacket(first, 0, v)).toMatchObject({ type: 'connack', reasonCode: 0 });
  first.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: topic, qos: 2 }] }, v);
  expect(await nextPacket(first, 1, v)).toMatchObject({ type: 'suback', packetId: 1, reasonCodes: [2] });

  const publisher = connect(url, { protocolVersion: v, reconnect: false });
  try {
    await publisher.publishAsync(topic, 'only once', { qos: 2 });
  } finally {
    await publisher.disconnect();
  }
  const publish = await nextPacket(first, 2, v);
  expect(publish).toMatchObject({ type: 'publish', qos: 2, dup: false });
  const packetId = (publish as { packetId: number }).packetId;
  first.send({ type: 'pubrec', packetId }, v);
  expect(await nextPacket(first, 3, v)).toMatchObject({ type: 'pubrel', packetId });
  first.reset(); // step 2: no PUBCOMP

  if (quickReconnect) {
    // Step 3 is a race on the broker's side: the reset must land after it read the CONNECT and
    // before it wrote what follows CONNACK. Several such links at once make that likely.
    const links = await Promise.all(Array.from({ length: QUICK_LINKS }, () => RawClient.open(port)));
    for (const link of links) link.send(connectPacket(clientId, v), v);
    for (const link of links) link.reset(); // gone right behind their CONNECT
  }

  // Step 4. The broker may still be tidying up step 3's link: reconnect until it takes us.
  for (let attempt = 0; ; attempt++) {
    const third = await RawClient.open(port);
    third.send(connectPacket(clientId, v), v);
    const connack = await nextPacket(third, 0, v).catch(() => undefined);
    if (connack === undefined || (connack as { reasonCode?: number }).reasonCode !== 0) {
      third.destroy();
      if (attempt > 20) throw new Error('the broker never took the session back');
      continue;
    }
    expect(connack).toMatchObject({ type: 'connack', sessionPresent: true });
    const answer = await nextPacket(third, 1, v);
    // Complete whatever it sent so the session ends clean.
    if (answer.type === 'pubrel') third.send({ type: 'pubcomp', packetId }, v);
    third.destroy();
    return { packetId, answer };
  }
}

const versions = [
  [5, '5'],
  [4, '3.1.1'],
] as const;

describe('QoS 2: no PUBLISH after PUBREL across two quick reconnects (embedded broker)', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ port: 0 });
  });
  afterAll(async () => broker?.close());

  for (const [v, name] of versions) {
    it(`MQTT ${name}: resends PUBREL, not PUBLISH [MQTT-4.3.3-6] [MQTT-4.3.3-1] [MQTT-4.4.0-1]`, async () => {
      const { packetId, answer } = await replay(broker.port, broker.url, v);
      expect(answer).toMatchObject({ type: 'pubrel', packetId });
    });

    it(`MQTT ${name}: resends PUBREL after a single reconnect too (control)`, async () => {
      const { packetId, answer } = await replay(broker.port, broker.url, v, false);
      expect(answer).toMatchObject({ type: 'pubrel', packetId });
    });
  }
});

describeWithMosquitto('QoS 2: what Mosquitto resends after two quick reconnects', () => {
  let mosquitto: MosquittoInstance;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
  });
  afterAll(async () => mosquitto?.dispose());

  // Step 3 is a race on Mosquitto's side (about 85% of attempts here set it up); each attempt is a
  // new message, up to the first PUBLISH. The Mosquitto this project is tested with is Debian's
  // 2.0.11; another version is only reported.
  const version = mosquittoVersion();
  for (const [v, name] of versions) {
    it(`MQTT ${name}: Mosquitto resends PUBREL after a single reconnect (control: step 3 is what breaks it)`, async () => {
      const { packetId, answer } = await replay(mosquitto.port, mosquitto.url, v, false);
      expect(answer).toMatchObject({ type: 'pubrel', packetId });
    });

    it(`MQTT ${name}: Mosquitto ${version} resends the PUBLISH with DUP (2.0.11, as docs/reliability.md records)`, async () => {
      const answers: string[] = [];
      for (let attempt = 0; attempt < 20; attempt++) {
        const { packetId, answer } = await replay(mosquitto.port, mosquitto.url, v);
        expect(answer).toMatchObject({ packetId });
        answers.push(answer.type === 'publish' ? `PUBLISH${answer.dup ? ' dup' : ''}` : answer.type.toUpperCase());
        if (answer.type === 'publish') break;
      }
      console.log(`MQTT ${name}: Mosquitto ${version} answered the resumed sessions with ${answers.join(', ')}`);
      if (version === '2.0.11') expect(answers[answers.length - 1]).toBe('PUBLISH dup');
    });
  }
});
