import type { QoS, SubscribePacket, UnsubscribePacket } from '../codec/packet.js';
import { ProtocolError } from '../errors.js';
import { callHook } from './auth-hooks.js';
import type { ClientConnection } from './client-connection.js';
import type { Session } from './session.js';
import { parseSharedFilter, type BrokerSubscription } from './subscription-index.js';

/**
 * Handles SUBSCRIBE: checks each filter (shared subscription syntax, the subscribe hook), adds or
 * replaces the subscriptions [MQTT-3.8.4-3], answers SUBACK with one code per filter in order
 * [MQTT-3.8.4-6], then sends the matching retained messages as the Retain Handling option asks.
 */
export function handleSubscribe(connection: ClientConnection, session: Session, packet: SubscribePacket): void | Promise<void> {
  const hook = connection.core.options.authorizeSubscribe;
  const v5 = connection.protocolVersion === 5;
  const verdicts: (boolean | Promise<boolean>)[] = [];
  let async = false;
  for (const s of packet.subscriptions) {
    const shared = parseSharedFilter(s.topicFilter);
    if (shared !== undefined && shared !== null && v5 && s.noLocal) {
      throw new ProtocolError(`No Local on shared subscription '${s.topicFilter}'`, { specRef: 'MQTT-3.8.3-4' });
    }
    if (shared === null || hook === undefined) {
      verdicts.push(shared !== null);
      continue;
    }
    const verdict = callHook(hook, { clientId: connection.clientId as string, username: connection.username, topicFilter: s.topicFilter, qos: s.qos }, false);
    if (verdict instanceof Promise) async = true;
    verdicts.push(verdict);
  }
  if (!async) return apply(connection, session, packet, verdicts as boolean[]);
  return Promise.all(verdicts).then((resolved) => {
    if (connection.state === 'connected') apply(connection, session, packet, resolved);
  });
}

function apply(connection: ClientConnection, session: Session, packet: SubscribePacket, verdicts: readonly boolean[]): void {
  const core = connection.core;
  const v5 = connection.protocolVersion === 5;
  const subscriptionId = v5 ? packet.properties?.subscriptionIdentifier : undefined;
  const reasonCodes: number[] = [];
  const retainedFor: BrokerSubscription<Session>[] = [];
  packet.subscriptions.forEach((s, i) => {
    const shared = parseSharedFilter(s.topicFilter);
    if (shared === null) {
      reasonCodes.push(v5 ? 0x8f : 0x80); // malformed shared subscription filter
      return;
    }
    if (verdicts[i] !== true) {
      reasonCodes.push(v5 ? 0x87 : 0x80); // not authorized
      return;
    }
    let sub = session.subscriptions.get(s.topicFilter);
    const isNew = sub === undefined;
    if (sub === undefined) {
      sub = {
        session,
        filter: shared?.filter ?? s.topicFilter,
        group: shared?.group,
        qos: s.qos,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
        subscriptionId: undefined,
      };
      session.subscriptions.set(s.topicFilter, sub);
      core.index.add(sub);
    }
    // A repeated filter replaces the old subscription's options [MQTT-3.8.4-3].
    sub.qos = s.qos;
    sub.noLocal = v5 && s.noLocal === true;
    sub.retainAsPublished = v5 && s.retainAsPublished === true;
    sub.retainHandling = v5 ? (s.retainHandling ?? 0) : 0;
    sub.subscriptionId = subscriptionId;
    reasonCodes.push(s.qos);
    if (core.events.observed) core.events.emit({ type: 'subscribed', clientId: session.clientId, topicFilter: s.topicFilter, qos: s.qos });
    // Retained messages are not sent for shared subscriptions; Retain Handling 1 sends them only for a new one.
    if (sub.group === undefined && (sub.retainHandling === 0 || (sub.retainHandling === 1 && isNew))) retainedFor.push(sub);
  });
  connection.send({ type: 'suback', packetId: packet.packetId, reasonCodes });
  const now = Date.now();
  for (const sub of retainedFor) {
    const ids = sub.subscriptionId === undefined ? undefined : [sub.subscriptionId];
    core.retained.match(
      sub.filter,
      (m) => session.deliver(m, (m.qos < sub.qos ? m.qos : sub.qos) as QoS, true, ids, now), // retain flag set [MQTT-3.3.1-8]
      now,
    );
  }
}

/** Handles UNSUBSCRIBE: removes each filter and answers UNSUBACK (MQTT 5: 0x11 for a filter that had no subscription). */
export function handleUnsubscribe(connection: ClientConnection, session: Session, packet: UnsubscribePacket): void {
  const core = connection.core;
  const reasonCodes: number[] = [];
  for (const filter of packet.topicFilters) {
    const sub = session.subscriptions.get(filter);
    if (sub === undefined) {
      reasonCodes.push(0x11);
      continue;
    }
    session.subscriptions.delete(filter);
    core.index.remove(sub); // [MQTT-3.10.4-1]
    reasonCodes.push(0);
    if (core.events.observed) core.events.emit({ type: 'unsubscribed', clientId: session.clientId, topicFilter: filter });
  }
  // [MQTT-3.10.4-4] UNSUBACK even when nothing was removed.
  connection.send({ type: 'unsuback', packetId: packet.packetId, reasonCodes: connection.protocolVersion === 5 ? reasonCodes : undefined });
}
