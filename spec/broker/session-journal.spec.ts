/**
 * A session's inbound QoS 2 ids and subscriptions tell its journal of each change, once, and
 * nothing while the session has no journal (not persistent).
 */
import { Session } from '../../lib/broker/session.js';
import type { SessionJournal } from '../../lib/broker/session-journal.js';
import type { BrokerSubscription } from '../../lib/broker/subscription-index.js';

function recorder(): { journal: SessionJournal; calls: string[] } {
  const calls: string[] = [];
  const journal: SessionJournal = {
    sessionChanged: (s) => {
      s.journal = journal;
      calls.push(`session ${s.expiryInterval}`);
    },
    queued: () => calls.push('queued'),
    started: () => calls.push('started'),
    released: () => calls.push('released'),
    done: () => calls.push('done'),
    inbound: (_s, id, added) => calls.push(`inbound ${added ? '+' : '-'}${id}`),
    subscription: (_s, key, sub) => calls.push(`sub ${key} ${sub === undefined ? 'removed' : sub.qos}`),
  };
  return { journal, calls };
}

function sub(session: Session, qos: 0 | 1 | 2): BrokerSubscription<Session> {
  return { session, filter: 'a', group: undefined, qos, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: undefined };
}

describe('session journal hooks', () => {
  it('a session with expiry 0 is never journaled; one with an expiry reports each change once', () => {
    const { journal, calls } = recorder();
    const clean = new Session('clean', 10, undefined, undefined, journal);
    clean.expiryInterval = 0;
    clean.inboundQos2.add(1);
    clean.subscriptions.set('a', sub(clean, 1));
    expect(calls).toEqual([]);

    const kept = new Session('kept', 10, undefined, undefined, journal);
    kept.expiryInterval = 60;
    kept.inboundQos2.add(5);
    kept.inboundQos2.add(5); // already held: nothing new
    kept.inboundQos2.delete(5);
    kept.inboundQos2.delete(5); // not held: nothing
    kept.subscriptions.set('a', sub(kept, 2));
    kept.subscriptions.delete('a');
    kept.subscriptions.delete('a');
    expect(calls).toEqual(['session 60', 'inbound +5', 'inbound -5', 'sub a 2', 'sub a removed']);
    expect([...kept.inboundQos2]).toEqual([]);
  });

  it('an outbound delivery is queued, started, released and done in that order', () => {
    const { journal, calls } = recorder();
    const s = new Session('s', 10, undefined, undefined, journal);
    s.expiryInterval = 60;
    const message = { topic: 't', payload: new Uint8Array([1]), qos: 2 as const, retain: false, properties: undefined, expiresAt: undefined, senderId: undefined };
    s.deliver(message, 2, false, undefined, Date.now()); // offline: queued
    const sent: number[] = [];
    s.attach({ protocolVersion: 5, inflightWindow: 5, writable: true, send: (p) => (p.type === 'publish' && sent.push(p.packetId as number), true) }, Date.now());
    s.onPubrec(sent[0], 0);
    s.onPubcomp(sent[0]);
    expect(calls).toEqual(['session 60', 'queued', 'session 60', 'started', 'released', 'done']);
  });
});
