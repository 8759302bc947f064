import type { PublishPacket } from '../codec/packet.js';
import { topicLevelCount, topicNameProblem } from '../codec/topic.js';
import { ProtocolError } from '../errors.js';
import { callHook } from './auth-hooks.js';
import { brokerMessage } from './broker-message.js';
import type { FlowConnection } from './flow-connection.js';
import type { Session } from './session.js';

/**
 * Handles an inbound PUBLISH whose topic the connection has resolved (MQTT 5 topic alias): asks
 * the publish hook, routes the message once, and acknowledges (PUBACK at QoS 1, PUBREC at QoS 2).
 * A QoS 2 message whose packet id is still unreleased is a resend: it is acknowledged again but not
 * routed again [MQTT-4.3.3-10]. Writes no connection state.
 */
export function handlePublish(connection: FlowConnection, session: Session, packet: PublishPacket, topic: string): void | Promise<void> {
  const core = connection.core;
  core.traffic.messagesReceived++;
  const v5 = connection.protocolVersion === 5;
  checkPublishFields(connection, topic, packet);

  const packetId = packet.packetId ?? 0;
  if (packet.qos === 2) {
    if (session.inboundQos2.has(packetId)) {
      connection.send({ type: 'pubrec', packetId });
      return undefined;
    }
    // More unreleased QoS 2 messages than the Receive Maximum announced to a 5.0 client [MQTT-3.3.4-9].
    // (3.1.1 has no such limit; packet ids bound the set to 65535 entries.)
    if (v5 && session.inboundQos2.size >= core.limits.receiveMaximum) {
      throw new ProtocolError('Receive Maximum exceeded', { reasonCode: 0x93, specRef: 'MQTT-3.3.4-9' });
    }
  }

  // $SYS/ is the broker's own statistics tree: a client's PUBLISH there is refused like an
  // unauthorized one (0x87 on 5.0; acknowledged and dropped on 3.1.1).
  if (topic.startsWith('$SYS/')) return accept(connection, session, packet, topic, false);
  const hook = core.options.authorizePublish;
  if (hook === undefined) return accept(connection, session, packet, topic, true);
  const allowed = callHook(
    hook,
    { clientId: connection.clientId as string, username: connection.username, topic, payload: packet.payload, qos: packet.qos, retain: packet.retain },
    false,
  );
  if (allowed instanceof Promise) {
    return allowed.then((ok) => {
      if (connection.state === 'connected') return accept(connection, session, packet, topic, ok === true);
      return undefined;
    });
  }
  return accept(connection, session, packet, topic, allowed === true);
}

/**
 * The checks of a client's PUBLISH beyond what the decoder enforces: the topic depth limit, and on
 * 5.0 no Subscription Identifier [MQTT-3.3.4-6] and a Response Topic without wildcards
 * [MQTT-3.3.2-14]. Each failure is a protocol error that closes this client's connection only.
 */
function checkPublishFields(connection: FlowConnection, topic: string, packet: PublishPacket): void {
  const max = connection.core.limits.maxTopicLevels;
  if (topicLevelCount(topic) > max) {
    throw new ProtocolError(`the topic name has more than ${max} levels`, { code: 'TOPIC_TOO_DEEP', reasonCode: 0x90 });
  }
  const properties = packet.properties;
  if (connection.protocolVersion !== 5 || properties === undefined) return;
  if (properties.subscriptionIdentifiers !== undefined) {
    // Subscription Identifiers travel from server to client only [MQTT-3.3.4-6].
    throw new ProtocolError('a PUBLISH from a client must not carry a Subscription Identifier', { specRef: 'MQTT-3.3.4-6' });
  }
  const responseTopic = properties.responseTopic;
  if (responseTopic !== undefined && topicNameProblem(responseTopic) !== undefined) {
    // The Response Topic is a Topic Name: no wildcards [MQTT-3.3.2-14], not empty [MQTT-4.7.3-1].
    throw new ProtocolError(`invalid Response Topic ${JSON.stringify(responseTopic)}`, { specRef: 'MQTT-3.3.2-14' });
  }
}

const NO_SESSIONS: readonly Session[] = [];

function accept(connection: FlowConnection, session: Session, packet: PublishPacket, topic: string, allowed: boolean, deadline?: number): void | Promise<void> {
  const core = connection.core;
  let quotaExceeded = false;
  if (allowed && packet.qos > 0) {
    // A subscriber's queue is full: hold this publisher back (its later packets wait too, unread
    // in the network) rather than acknowledge a message that would be dropped. Checked again after
    // each wake-up (other publishers may have taken the room), until `slowClientTimeout` has passed.
    // Then a 5.0 publisher is told 0x97 Quota exceeded and the message is not routed; a 3.1.1
    // publisher, which cannot be told, has it routed and the full session drops it, counted.
    // No full queue anywhere (the usual case): nothing to look up, nothing allocated.
    const full = core.pressure.full === 0 ? NO_SESSIONS : core.fullTargets(topic, connection.clientId);
    if (full.length > 0) {
      const until = deadline ?? Date.now() + core.limits.slowClientTimeout;
      if (Date.now() < until) {
        const held = core.whenRoom(full, until).then(() => {
          if (connection.state === 'connected') return accept(connection, session, packet, topic, allowed, until);
          return undefined;
        });
        // One pause for the whole hold: a re-check's wait is part of the first one's promise.
        if (deadline === undefined) connection.holdReading(held);
        return held;
      }
      quotaExceeded = connection.protocolVersion === 5;
    }
  }
  if (allowed && !quotaExceeded) {
    // The payload is a view into a network buffer of up to 64 KiB. A message that may be kept
    // (retained, or QoS 1/2 waiting in flight or in a queue) gets its own copy so it does not pin
    // that buffer; QoS 0 messages are written out at once and need none.
    const payload = packet.retain || packet.qos > 0 ? packet.payload.slice() : packet.payload;
    // Held before the message is routed: with persistence, the id is in the log before any copy of
    // the message goes out, so a resend after a restart is not routed twice [MQTT-4.3.3-10].
    if (packet.qos === 2) session.inboundQos2.add(packet.packetId ?? 0);
    core.route(brokerMessage(topic, payload, packet.qos, packet.retain, packet.properties, connection.clientId, Date.now()));
  }
  // A 3.1.1 server cannot refuse a PUBLISH on the wire: it acknowledges it and drops it [MQTT-3.3.5-2],
  // and the drop is counted. A 5.0 publisher is told (0x87 below), so that is no silent drop.
  if (!allowed && connection.protocolVersion === 4) core.countDrop(connection.clientId as string, 'notAuthorized');
  const packetId = packet.packetId ?? 0;
  // A refused message is dropped; MQTT 5 says so with 0x87 Not authorized (or 0x97 Quota exceeded).
  const reasonCode = quotaExceeded ? 0x97 : allowed || connection.protocolVersion === 4 ? 0 : 0x87;
  if (packet.qos === 1) {
    connection.send({ type: 'puback', packetId, reasonCode }); // [MQTT-4.3.2-2]
  } else if (packet.qos === 2) {
    if (reasonCode < 0x80) session.inboundQos2.add(packetId); // held until PUBREL [MQTT-4.3.3-9]
    connection.send({ type: 'pubrec', packetId, reasonCode });
  }
}

/** Inbound PUBREL: releases the packet id and answers PUBCOMP [MQTT-4.3.3-11]. */
export function handlePubrel(connection: FlowConnection, session: Session, packetId: number): void {
  const known = session.inboundQos2.delete(packetId);
  connection.send({ type: 'pubcomp', packetId, reasonCode: known || connection.protocolVersion === 4 ? 0 : 0x92 });
}
