import type { QoS, SubscribePacket, UnsubscribePacket } from '../codec/packet.js';
import { parseSharedFilter, topicFilterProblem, topicLevelCount } from '../codec/topic.js';
import { ProtocolError } from '../errors.js';
import { callHook } from './auth-hooks.js';
import type { FlowConnection } from './flow-connection.js';
import type { Session } from './session.js';
import type { BrokerSubscription } from './subscription-index.js';

/**
 * Why the broker will not hold `filter`, as a SUBACK reason code for the connection's version, or
 * `undefined` when the filter is acceptable. Every filter is checked with the codec's rules: not
 * empty [MQTT-4.7.3-1], `#` alone and last [MQTT-4.7.1-2], `+` a whole level [MQTT-4.7.1-3],
 * a well-formed `$share/` prefix [MQTT-4.8.2-1] [MQTT-4.8.2-2]; and against `limits.maxTopicLevels`.
 */
export function filterRefusal(connection: FlowConnection, filter: string): number | undefined {
  const failure = connection.protocolVersion === 5 ? 0x8f : 0x80; // Topic Filter invalid / Failure
  if (topicFilterProblem(filter) !== undefined) return failure; // [MQTT-4.7.1-1] [MQTT-4.7.3-1]
  const matched = parseSharedFilter(filter)?.filter ?? filter;
  if (topicLevelCount(matched) > connection.core.limits.maxTopicLevels) return failure;
  return undefined;
}

/**
 * Handles SUBSCRIBE: checks each filter (syntax and depth, then the subscribe hook), adds or
 * replaces the subscriptions [MQTT-3.8.4-3], answers SUBACK with one code per filter in order
 * [MQTT-3.8.4-6], then sends the matching retained messages as the Retain Handling option asks.
 * An invalid filter is refused in its SUBACK slot (0x80 on 3.1.1, 0x8F on 5.0); the other
 * filters of the packet are still granted.
 */
export function handleSubscribe(connection: FlowConnection, session: Session, packet: SubscribePacket): void | Promise<void> {
  const hook = connection.core.options.authorizeSubscribe;
  const v5 = connection.protocolVersion === 5;
  const verdicts: (boolean | Promise<boolean>)[] = [];
  let async = false;
  for (const s of packet.subscriptions) {
    const refused = filterRefusal(connection, s.topicFilter) !== undefined;
    if (!refused && v5 && s.noLocal && parseSharedFilter(s.topicFilter) !== undefined) {
      throw new ProtocolError(`No Local on shared subscription '${s.topicFilter}'`, { specRef: 'MQTT-3.8.3-4' });
    }
    if (refused || hook === undefined) {
      verdicts.push(!refused);
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

function apply(connection: FlowConnection, session: Session, packet: SubscribePacket, verdicts: readonly boolean[]): void {
  const core = connection.core;
  const v5 = connection.protocolVersion === 5;
  const subscriptionId = v5 ? packet.properties?.subscriptionIdentifier : undefined;
  const reasonCodes: number[] = [];
  const retainedFor: BrokerSubscription<Session>[] = [];
  packet.subscriptions.forEach((s, i) => {
    const invalid = filterRefusal(connection, s.topicFilter);
    if (invalid !== undefined) {
      reasonCodes.push(invalid);
      return;
    }
    const shared = parseSharedFilter(s.topicFilter);
    if (verdicts[i] !== true) {
      reasonCodes.push(v5 ? 0x87 : 0x80); // not authorized
      return;
    }
    let sub = session.subscriptions.get(s.topicFilter);
    const isNew = sub === undefined;
    if (isNew && session.subscriptions.size >= core.limits.maxSubscriptionsPerClient) {
      reasonCodes.push(v5 ? 0x97 : 0x80); // Quota exceeded / Failure
      return;
    }
    if (sub === undefined) {
      sub = {
        session,
        filter: shared?.filter ?? s.topicFilter,
        group: shared?.shareName,
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
    session.subscriptions.set(s.topicFilter, sub); // again: a persistent session records the options
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

/**
 * Handles UNSUBSCRIBE: removes each filter and answers UNSUBACK. MQTT 5 gives one code per filter:
 * 0x00, 0x11 for a filter that had no subscription, 0x8F for an invalid filter (empty
 * [MQTT-4.7.3-1], misplaced wildcards [MQTT-4.7.1-2] [MQTT-4.7.1-3]). A 3.1.1 UNSUBACK carries no
 * codes: an invalid filter there removes nothing (the broker never holds one) and is answered with
 * the plain UNSUBACK like any other [MQTT-3.10.4-4], keeping the connection open.
 */
export function handleUnsubscribe(connection: FlowConnection, session: Session, packet: UnsubscribePacket): void {
  const core = connection.core;
  const reasonCodes: number[] = [];
  for (const filter of packet.topicFilters) {
    if (topicFilterProblem(filter) !== undefined) {
      reasonCodes.push(0x8f); // Topic Filter invalid [MQTT-4.7.3-1]
      continue;
    }
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
