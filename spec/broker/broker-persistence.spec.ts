/**
 * The broker's persistence log on its own: what a BrokerCore restores from the file another one
 * wrote (sessions, subscriptions, queued and in-flight deliveries, inbound QoS 2 ids, retained
 * messages), what is never written, expiry by wall-clock time, a torn tail, damage, compaction.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet, PublishPacket } from '../../lib/codec/packet.js';
import { InvalidArgumentError, StoreCorruptError } from '../../lib/errors.js';
import { BrokerCore } from '../../lib/broker/broker-core.js';
import { brokerMessage } from '../../lib/broker/broker-message.js';
import { resolveBrokerOptions, type BrokerOptions } from '../../lib/broker/broker-options.js';
import { BrokerPersistence, type BrokerPersistenceOptions } from '../../lib/broker/broker-persistence.js';
import type { Session, SessionLink } from '../../lib/broker/session.js';
import type { BrokerSubscription } from '../../lib/broker/subscription-index.js';
import { startBroker } from '../../lib/broker/start-broker.js';

const text = (p: Uint8Array): string => new TextDecoder().decode(p);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

let dir: string;
const opened: BrokerPersistence[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxmqtt-persist-'));
});
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A broker core restored from `dir` (what startBroker does before it listens). */
function openCore(extra: Partial<BrokerPersistenceOptions> = {}, now?: number): { core: BrokerCore; store: BrokerPersistence } {
  const options: BrokerOptions = { port: 0, persistence: { dir, ...extra } };
  const store = new BrokerPersistence(options.persistence as BrokerPersistenceOptions);
  opened.push(store);
  const core = new BrokerCore(options, resolveBrokerOptions(options), store);
  store.restore(core, now);
  return { core, store };
}

/** Ends a core as `kill -9` would: what was flushed stays, nothing else runs. */
function crash(store: BrokerPersistence): void {
  store.flush();
  opened.splice(opened.indexOf(store), 1);
}

/** A connection stand-in: records what it is sent, flushing the log first as a real connection does. */
function link(core: BrokerCore, protocolVersion: 4 | 5 = 5): SessionLink & { sent: Packet[] } {
  const sent: Packet[] = [];
  return {
    protocolVersion,
    inflightWindow: 2,
    writable: true,
    sent,
    send(packet) {
      core.persistence?.flush();
      sent.push(packet);
      return true;
    },
  };
}

function subscribe(core: BrokerCore, session: Session, key: string, options: Partial<BrokerSubscription<Session>> = {}): void {
  const shared = key.startsWith('$share/') ? { group: key.split('/')[1], filter: key.split('/').slice(2).join('/') } : { group: undefined, filter: key };
  const sub: BrokerSubscription<Session> = { session, ...shared, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: undefined, ...options };
  session.subscriptions.set(key, sub);
  core.index.add(sub);
}

/** A persistent session `id` (expiry 3600 s) that has connected once and left. */
function offlineSession(core: BrokerCore, id: string, expiry = 3600): Session {
  const session = core.sessions.create(id);
  session.expiryInterval = expiry;
  const l = link(core);
  session.attach(l, Date.now());
  session.detach(l);
  core.sessions.release(session);
  return session;
}

function publish(core: BrokerCore, topic: string, payload: string, qos: 0 | 1 | 2, retain = false): void {
  core.route(brokerMessage(topic, bytes(payload), qos, retain, qos === 2 ? { userProperties: [['k', 'v']] } : undefined, 'publisher', Date.now()));
}

describe('BrokerPersistence', () => {
  it('restores an offline session: subscriptions with their options (shared too), queued messages in order, inbound QoS 2 ids, protocol version', () => {
    const first = openCore();
    const s = offlineSession(first.core, 'sensor-1');
    subscribe(first.core, s, 'a/+', { qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2, subscriptionId: 7 });
    subscribe(first.core, s, '$share/g/jobs/#', { qos: 1 });
    s.inboundQos2.add(42);
    s.inboundQos2.add(43);
    s.inboundQos2.delete(43);
    publish(first.core, 'a/1', 'one', 1);
    publish(first.core, 'a/2', 'two', 2);
    publish(first.core, 'jobs/x', 'job', 2);
    publish(first.core, 'a/3', 'zero', 0); // QoS 0 to an offline session: not kept
    crash(first.store);

    const { core } = openCore();
    const r = core.sessions.get('sensor-1') as Session;
    expect(r).toBeDefined();
    expect(r.online).toBe(false);
    expect(r.expiryInterval).toBe(3600);
    expect(r.protocolVersion).toBe(5);
    expect([...r.inboundQos2]).toEqual([42]);
    const a = r.subscriptions.get('a/+');
    expect(a).toMatchObject({ filter: 'a/+', group: undefined, qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2, subscriptionId: 7 });
    expect(r.subscriptions.get('$share/g/jobs/#')).toMatchObject({ filter: 'jobs/#', group: 'g', qos: 1 });
    expect(r.queuedCount).toBe(3);
    const l = link(core);
    r.attach(l, Date.now());
    const sent = l.sent as PublishPacket[];
    // The window is 2: two go out, the third waits.
    expect(sent.map((p) => [p.topic, text(p.payload), p.qos, p.dup])).toEqual([
      ['a/1', 'one', 1, false],
      ['a/2', 'two', 2, false],
    ]);
    expect(sent[0].properties?.subscriptionIdentifiers).toEqual([7]);
    expect(sent[1].properties?.userProperties).toEqual([['k', 'v']]);
    // The restored subscription is in the index: a new message reaches it.
    publish(core, 'a/9', 'nine', 1);
    expect(r.queuedCount).toBe(2);
  });

  it.each([['never'], ['always'], [50]] as const)('restores in-flight deliveries (fsync %j): a PUBLISH awaiting PUBACK is resent with DUP and the same packet id, one awaiting PUBCOMP gets PUBREL', (fsync) => {
    const first = openCore({ fsync });
    const s = offlineSession(first.core, 'c');
    subscribe(first.core, s, 't', { qos: 2 });
    const l1 = link(first.core);
    s.attach(l1, Date.now());
    publish(first.core, 't', 'q2', 2);
    publish(first.core, 't', 'q1', 1);
    const [p1, p2] = l1.sent.filter((p): p is PublishPacket => p.type === 'publish');
    s.onPubrec(p1.packetId as number, 0); // PUBREL sent, awaiting PUBCOMP
    crash(first.store);

    const { core } = openCore();
    const r = core.sessions.get('c') as Session;
    expect(r.inflightCount).toBe(2);
    const l2 = link(core);
    r.attach(l2, Date.now());
    expect(l2.sent).toEqual([
      { type: 'pubrel', packetId: p1.packetId },
      expect.objectContaining({ type: 'publish', packetId: p2.packetId, dup: true, qos: 1, topic: 't' }),
    ]);
    r.onPubcomp(p1.packetId as number);
    r.onPuback(p2.packetId as number);
    crash(core.persistence as BrokerPersistence);
    expect((openCore().core.sessions.get('c') as Session).heldCount).toBe(0);
  });

  it('keeps retained messages (properties, expiry, sender) and forgets a cleared topic', () => {
    const first = openCore();
    publish(first.core, 'r/1', 'kept', 1, true);
    publish(first.core, 'r/2', 'gone', 2, true);
    publish(first.core, 'r/2', '', 0, true);
    first.core.route(brokerMessage('r/3', bytes('short'), 0, true, { messageExpiryInterval: 60 }, undefined, Date.now()));
    first.core.route(brokerMessage('$SYS/broker/uptime', bytes('5'), 0, true, undefined, undefined, Date.now()));
    crash(first.store);
    const { core } = openCore();
    expect(core.retained.size).toBe(2);
    expect(text(core.retained.get('r/1')?.payload as Uint8Array)).toBe('kept');
    expect(core.retained.get('r/1')?.senderId).toBe('publisher');
    expect(core.retained.get('r/2')).toBeUndefined();
    expect(core.retained.get('r/3')?.expiresAt).toBeGreaterThan(Date.now());
    expect(core.retained.get('$SYS/broker/uptime')).toBeUndefined(); // this run's statistics only
  });

  it('never writes a session that ends with its connection (expiry 0)', () => {
    const first = openCore();
    const s = first.core.sessions.create('clean');
    s.expiryInterval = 0;
    subscribe(first.core, s, 'x', { qos: 1 });
    s.attach(link(first.core), Date.now());
    publish(first.core, 'x', 'm', 1);
    s.inboundQos2.add(1);
    crash(first.store);
    expect(statSync(join(dir, 'broker.log')).size).toBe(8); // the magic only
    expect(openCore().core.sessions.size).toBe(0);
  });

  it('measures expiry in wall-clock time: a session whose expiry passed while the broker was down is dropped at load', () => {
    const first = openCore();
    offlineSession(first.core, 'short', 10);
    offlineSession(first.core, 'long', 1000);
    crash(first.store);
    const later = openCore({}, Date.now() + 20_000);
    expect([...later.core.sessions.values()].map((s) => s.clientId)).toEqual(['long']);
  });

  it('a session dropped (expiry 0 on DISCONNECT, replaced by a clean one) is gone after a restart', () => {
    const first = openCore();
    offlineSession(first.core, 'a');
    offlineSession(first.core, 'b');
    first.core.sessions.create('a').expiryInterval = 0; // Clean Start replaces it
    crash(first.store);
    expect([...openCore().core.sessions.values()].map((s) => s.clientId)).toEqual(['b']);
  });

  it('ignores a torn last record (killed mid-write) and keeps everything before it', () => {
    const first = openCore();
    const s = offlineSession(first.core, 'c');
    subscribe(first.core, s, 't', { qos: 1 });
    publish(first.core, 't', 'whole', 1);
    crash(first.store);
    const file = join(dir, 'broker.log');
    const size = statSync(file).size;
    appendFileSync(file, Uint8Array.of(0, 0, 0, 40, 0xff, 0xff, 0xff, 0xd7, 1, 2, 3)); // a header and 3 of 40 bytes
    const { core, store } = openCore();
    expect(store.truncatedBytes).toBe(11);
    expect((core.sessions.get('c') as Session).queuedCount).toBe(1);
    expect(statSync(file).size).toBeLessThanOrEqual(size); // rewritten without the torn tail
  });

  it('a damaged record before the end is a StoreCorruptError naming the file and offset; startBroker rejects with it', async () => {
    const first = openCore();
    offlineSession(first.core, 'c');
    publish(first.core, 'r', 'retained', 1, true);
    crash(first.store);
    const file = join(dir, 'broker.log');
    const b = readFileSync(file);
    b[8 + 12 + 2] ^= 0xff; // inside the first record's body: its checksum no longer matches
    writeFileSync(file, b);
    expect(() => new BrokerPersistence({ dir })).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT', offset: 8, path: file }));
    await expect(startBroker({ port: 0, persistence: { dir } })).rejects.toThrow(StoreCorruptError);
    writeFileSync(file, 'not a broker log at all');
    await expect(startBroker({ port: 0, persistence: { dir } })).rejects.toThrow(expect.objectContaining({ code: 'STORE_WRONG_FILE' }));
  });

  it('compacts the log as it grows and restores the same state from the compacted file', () => {
    const first = openCore({ compactAfter: 50 });
    const s = offlineSession(first.core, 'c');
    subscribe(first.core, s, 't', { qos: 1 });
    const l = link(first.core);
    s.attach(l, Date.now());
    for (let i = 0; i < 500; i++) {
      publish(first.core, 't', `m${i}`, 1);
      const p = l.sent[l.sent.length - 1] as PublishPacket;
      if (i < 498) s.onPuback(p.packetId as number);
    }
    first.store.flush();
    // 500 messages of 4 records each, all but two acknowledged: the file holds little more than the live state.
    expect(statSync(join(dir, 'broker.log')).size).toBeLessThan(12_000);
    crash(first.store);
    const r = openCore().core.sessions.get('c') as Session;
    expect(r.inflightCount).toBe(2);
    const resent: string[] = [];
    r.attach({ protocolVersion: 5, inflightWindow: 10, writable: true, send: (p) => (p.type === 'publish' && resent.push(text(p.payload)), true) }, Date.now());
    expect(resent).toEqual(['m498', 'm499']);
  });

  it('checks its options', async () => {
    await expect(startBroker({ port: 0, persistence: { dir: '' } })).rejects.toThrow(InvalidArgumentError);
    await expect(startBroker({ port: 0, persistence: { dir, fsync: 'sometimes' as 'always' } })).rejects.toThrow(/options.persistence.fsync/);
    await expect(startBroker({ port: 0, persistence: { dir, fsync: 0 } })).rejects.toThrow(/options.persistence.fsync/);
    await expect(startBroker({ port: 0, persistence: { dir, compactAfter: 0 } })).rejects.toThrow(/compactAfter/);
  });
});
