import type { Packet } from '../../lib/codec/packet';
import { BrokerCore } from '../../lib/broker/broker-core';
import { brokerMessage } from '../../lib/broker/broker-message';
import { resolveBrokerOptions } from '../../lib/broker/broker-options';
import type { Session } from '../../lib/broker/session';
import type { BrokerSubscription } from '../../lib/broker/subscription-index';

function setup() {
  const core = new BrokerCore({ port: 0 }, resolveBrokerOptions({ port: 0 }));
  const online = (clientId: string, version: 4 | 5 = 5) => {
    const session = core.sessions.create(clientId);
    const sent: Packet[] = [];
    session.attach({ protocolVersion: version, inflightWindow: 10, writable: true, send: (p) => (sent.push(p), true) }, 0);
    return { session, sent };
  };
  const subscribe = (session: Session, filter: string, options: Partial<BrokerSubscription<Session>> = {}) => {
    const sub: BrokerSubscription<Session> = { session, filter, group: undefined, qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: undefined, ...options };
    session.subscriptions.set(filter, sub);
    core.index.add(sub);
  };
  return { core, online, subscribe };
}

const msg = (topic: string, qos: 0 | 1 | 2, retain = false, sender?: string) => brokerMessage(topic, new Uint8Array([1]), qos, retain, undefined, sender, 0);

describe('BrokerCore.route', () => {
  it('delivers once per session at the highest matching QoS with every subscription identifier', () => {
    const { core, online, subscribe } = setup();
    const a = online('a');
    subscribe(a.session, 'x/+', { qos: 0, subscriptionId: 1 });
    subscribe(a.session, 'x/#', { qos: 1, subscriptionId: 2 });
    core.route(msg('x/y', 2));
    expect(a.sent).toHaveLength(1);
    const sent = a.sent[0] as { qos: number; properties?: { subscriptionIdentifiers?: number[] } };
    expect(sent.qos).toBe(1);
    expect([...(sent.properties?.subscriptionIdentifiers ?? [])].sort()).toEqual([1, 2]);
  });

  it('skips the publisher on a No Local subscription and keeps the retain flag only with Retain As Published', () => {
    const { core, online, subscribe } = setup();
    const a = online('a');
    const b = online('b');
    subscribe(a.session, 't', { noLocal: true });
    subscribe(b.session, 't', { retainAsPublished: true });
    core.route(msg('t', 1, true, 'a'));
    expect(a.sent).toEqual([]);
    expect(b.sent[0]).toMatchObject({ retain: true });
    expect(core.retained.size).toBe(1);
  });

  it('sends no properties to a 3.1.1 session', () => {
    const { core, online, subscribe } = setup();
    const old = online('old', 4);
    subscribe(old.session, 't', { subscriptionId: 5 });
    core.route(brokerMessage('t', new Uint8Array(1), 0, false, { userProperties: [['k', 'v']] }, undefined, 0));
    expect(old.sent[0]).toMatchObject({ type: 'publish', properties: undefined });
  });

  it('routes nothing after close', () => {
    const { core, online, subscribe } = setup();
    const a = online('a');
    subscribe(a.session, 't');
    core.closed = true;
    core.route(msg('t', 0));
    expect(a.sent).toEqual([]);
  });
});
