import type { ConnackPacket, ConnectPacket } from '../codec/packet.js';
import type { ConnackProperties, PublishProperties } from '../codec/properties.js';
import { topicLevelCount } from '../codec/topic.js';
import { ProtocolError } from '../errors.js';
import { callHook, type AuthenticateResult } from './auth-hooks.js';
import { enhancedConnect, type ConnectChallenge } from './enhanced-auth-flow.js';
import { brokerMessage } from './broker-message.js';
import { fitConnack } from './fit-connack.js';
import type { BrokerMessage } from './broker-message.js';
import type { ResolvedLimits } from './broker-options.js';
import type { FlowConnection } from './flow-connection.js';
import { OutboundTopicAliases } from './outbound-topic-aliases.js';
import type { Session } from './session.js';

/** What an accepted CONNECT sets on its connection; the connection applies it. */
export interface ConnectAccepted {
  readonly kind: 'accepted';
  readonly clientId: string;
  readonly username: string | undefined;
  /** Created or resumed, and already taken out of the offline set; attached by the connection. */
  readonly session: Session;
  /** The will, a copy of the CONNECT's (its payload was a view into a network buffer). */
  readonly will: BrokerMessage | undefined;
  /** Seconds, at most the session's expiry. */
  readonly willDelay: number;
  /** The Session Expiry Interval the CONNECT asked for (MQTT 5), to check DISCONNECT against. */
  readonly requestedSessionExpiry: number;
  /** Outbound QoS 1/2 window: min(limits.maxInflight, the client's Receive Maximum). */
  readonly inflightWindow: number;
  /** The client's Maximum Packet Size (MQTT 5). */
  readonly clientMaximumPacketSize: number | undefined;
  /** Topic aliases for what the connection is sent (MQTT 5, when the client allows any). */
  readonly outboundAliases: OutboundTopicAliases | undefined;
  /** The keep alive in force, in seconds (0: none). */
  readonly keepAlive: number;
  /** The CONNACK to send, session present filled in. */
  readonly connack: ConnackPacket;
  /** MQTT 5 enhanced authentication: the method the connection was authenticated with (re-authentication uses it). */
  readonly authenticationMethod?: string;
}

/** A refused CONNECT: the connection answers CONNACK `reasonCode` (an MQTT 5 code) and closes. */
export interface ConnectRefused {
  readonly kind: 'refused';
  readonly reasonCode: number;
}

/**
 * What the CONNECT flow decided (acceptConnect resolves to `undefined` instead when the connection
 * closed while its hook ran); `challenge`: MQTT 5 enhanced authentication goes on with AUTH 0x18.
 */
export type ConnectOutcome = ConnectAccepted | ConnectRefused | ConnectChallenge;

let assignedCounter = 0;

/** A client id for a client that sent an empty one (unique within this process). */
function assignClientId(): string {
  assignedCounter = (assignedCounter + 1) % 0x7fffffff;
  return `rxmqtt-broker-${Date.now().toString(36)}-${assignedCounter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** 3.1.1 connect return code for a 5.0 reason code, and the reverse. */
const V5_TO_V4: Readonly<Record<number, number>> = { 0x84: 0x01, 0x85: 0x02, 0x88: 0x03, 0x89: 0x03, 0x97: 0x03, 0x86: 0x04, 0x87: 0x05, 0x8c: 0x05 };
const V4_TO_V5: Readonly<Record<number, number>> = { 0x01: 0x84, 0x02: 0x85, 0x03: 0x88, 0x04: 0x86, 0x05: 0x87 };

/**
 * The refusing CONNACK for an MQTT 5 reason code, in the client's version (3.1.1 return codes for
 * 3.1.1 clients); session present is 0 [MQTT-3.2.2-6]. The connection closes after it [MQTT-3.2.2-7].
 */
export function refusalConnack(protocolVersion: 4 | 5, reasonCodeV5: number): ConnackPacket {
  const code = protocolVersion === 4 ? (V5_TO_V4[reasonCodeV5] ?? (reasonCodeV5 < 0x80 ? reasonCodeV5 : 0x05)) : (V4_TO_V5[reasonCodeV5] ?? reasonCodeV5);
  return { type: 'connack', sessionPresent: false, reasonCode: code };
}

const refuse = (reasonCode: number): ConnectRefused => ({ kind: 'refused', reasonCode });

/**
 * Handles the CONNECT of a new connection: validates the client id, runs the authentication hook,
 * takes over an existing connection of the same client [MQTT-3.1.4-2], creates or resumes the
 * session, and returns what the connection is to apply: the accepted state with its CONNACK, or a
 * refusal. Writes no connection state and sends nothing itself. Throws a ProtocolError for a
 * CONNECT that gets no CONNACK at all.
 */
export function acceptConnect(connection: FlowConnection, packet: ConnectPacket): ConnectOutcome | Promise<ConnectOutcome | undefined> {
  const core = connection.core;
  const v5 = packet.protocolVersion === 5;
  let clientId = packet.clientId;
  let assigned: string | undefined;
  if (clientId === '') {
    // 3.1.1: an empty id needs Clean Session 1 [MQTT-3.1.3-7], else CONNACK 0x02 [MQTT-3.1.3-8].
    if (!v5 && !packet.cleanStart) return refuse(0x85);
    clientId = assignClientId(); // [MQTT-3.1.3-6]
    if (v5) assigned = clientId; // told to the client [MQTT-3.2.2-16]
  }
  if (packet.will !== undefined && topicLevelCount(packet.will.topic) > core.limits.maxTopicLevels) {
    // 5.0 has a reason code for it; 3.1.1 has no return code that fits, so the connection is closed
    // without CONNACK [MQTT-3.2.2-6].
    if (v5) return refuse(0x90); // Topic Name invalid
    throw new ProtocolError(`the will topic has more than ${core.limits.maxTopicLevels} levels`, { code: 'TOPIC_TOO_DEEP', reasonCode: 0x90 });
  }
  // MQTT 5 enhanced authentication (section 4.12): the `enhancedAuth` hook of the method decides.
  const method = v5 ? packet.properties?.authenticationMethod : undefined;
  if (method !== undefined) {
    const request = { clientId, username: packet.username, reauthenticate: false };
    return enhancedConnect(connection, method, request, packet.properties?.authenticationData, () => complete(connection, packet, clientId, assigned));
  }
  const hook = core.options.authenticate;
  if (hook === undefined) return complete(connection, packet, clientId, assigned);
  const outcome = callHook<Parameters<typeof hook>[0], AuthenticateResult>(
    hook,
    { clientId, username: packet.username, password: packet.password, protocolVersion: packet.protocolVersion },
    false,
  );
  if (outcome instanceof Promise) {
    return outcome.then((result) => (connection.state === 'connecting' ? authenticated(connection, packet, clientId, assigned, result) : undefined));
  }
  return authenticated(connection, packet, clientId, assigned, outcome);
}

function authenticated(connection: FlowConnection, packet: ConnectPacket, clientId: string, assigned: string | undefined, result: AuthenticateResult): ConnectOutcome {
  if (result === true) return complete(connection, packet, clientId, assigned);
  if (result === false || typeof result !== 'object' || result === null) return refuse(0x87);
  const code = result.reasonCode;
  return refuse(typeof code === 'number' && code > 0 && code <= 0xff ? code : 0x87);
}

function complete(connection: FlowConnection, packet: ConnectPacket, clientId: string, assigned: string | undefined): ConnectOutcome {
  const core = connection.core;
  const limits = core.limits;
  const v5 = packet.protocolVersion === 5;
  const ceiling = limits.maxKeepAlive;
  const overCeiling = ceiling !== undefined && (packet.keepAlive === 0 || packet.keepAlive > ceiling);
  // 3.1.1 has no Server Keep Alive to tell a client the ceiling: refuse it (0x02, as Mosquitto does).
  if (overCeiling && !v5) return refuse(0x02);
  // 3.1.1 has no Session Expiry Interval: a persistent session lives for the broker's sessionExpiry311.
  const requested = v5 ? (packet.properties?.sessionExpiryInterval ?? 0) : packet.cleanStart ? 0 : limits.sessionExpiry311;
  const cap = limits.maxSessionExpiryInterval;
  const granted = cap !== undefined && requested > cap ? cap : requested;
  // Sized before anything changes: a CONNACK that cannot fit closes the connection with nothing sent.
  const connack: ConnackPacket | undefined = v5
    ? fitConnack(connackFor(connection, granted, requested, assigned, serverKeepAliveFor(limits, packet.keepAlive, true)), packet.properties?.maximumPacketSize)
    : { type: 'connack', sessionPresent: false, reasonCode: 0 };
  if (connack === undefined) {
    // Nothing larger than the client's Maximum Packet Size may be sent, a DISCONNECT included [MQTT-3.1.2-24].
    throw new ProtocolError('even the smallest CONNACK exceeds the client\'s Maximum Packet Size', { specRef: 'MQTT-3.1.2-24' });
  }
  // A second connection with this client id takes over the first [MQTT-3.1.4-2].
  const previous = core.connections.get(clientId);
  if (previous !== undefined) previous.terminate(0x8e, true);
  let session = core.sessions.get(clientId);
  // A client whose session ends with its connection needs no storage: it is never refused or made
  // room for (maxConnections bounds those). One that wants its session kept takes the place of the
  // session whose client left first, and is refused only when every stored session is online.
  if (session === undefined && granted !== 0 && core.sessions.full && !core.sessions.evictOldestOffline()) {
    core.refused('maxSessions', clientId);
    return refuse(0x97);
  }

  let sessionPresent = false;
  if (packet.cleanStart || session === undefined) {
    core.wills.flush(clientId); // a delayed will is sent when the session is replaced
    session = core.sessions.create(clientId); // [MQTT-3.1.2-4]
  } else {
    core.wills.cancel(clientId); // back in time: the delayed will is not sent [MQTT-3.1.3-9]
    core.sessions.resume(session);
    sessionPresent = true; // [MQTT-3.2.2-2]
  }

  session.expiryInterval = granted === 0xffffffff ? Infinity : granted;
  let will: BrokerMessage | undefined;
  let willDelay = 0;
  if (packet.will !== undefined) {
    const w = packet.will;
    const wp = w.properties;
    let props: PublishProperties | undefined;
    if (wp !== undefined) {
      const { willDelayInterval, ...rest } = wp;
      void willDelayInterval;
      props = Object.keys(rest).length > 0 ? rest : undefined;
      willDelay = Math.min(wp.willDelayInterval ?? 0, session.expiryInterval);
    }
    // The will is a copy: the decoded payload is a view into a network buffer.
    will = brokerMessage(w.topic, w.payload.slice(), w.qos, w.retain, props, clientId, Date.now());
  }
  const aliases = v5 ? (packet.properties?.topicAliasMaximum ?? 0) : 0; // 0 or absent: none [MQTT-3.1.2-26]
  // The keep alive in force: a fixed Server Keep Alive, else the ceiling for a 5.0 client over it
  // (told in CONNACK), else the client's own [MQTT-3.2.2-21].
  const told = serverKeepAliveFor(limits, packet.keepAlive, v5);
  return {
    kind: 'accepted',
    clientId,
    username: packet.username,
    session,
    will,
    willDelay,
    requestedSessionExpiry: requested,
    inflightWindow: v5 ? Math.min(limits.maxInflight, packet.properties?.receiveMaximum ?? 65535) : limits.maxInflight,
    clientMaximumPacketSize: v5 ? packet.properties?.maximumPacketSize : undefined,
    outboundAliases: aliases > 0 && limits.outboundTopicAliases ? new OutboundTopicAliases(aliases) : undefined,
    keepAlive: told ?? packet.keepAlive,
    connack: { ...connack, sessionPresent },
  };
}

/** The Server Keep Alive to tell a 5.0 client (undefined: none, the client's own stands). */
function serverKeepAliveFor(limits: Pick<ResolvedLimits, 'serverKeepAlive' | 'maxKeepAlive'>, requested: number, v5: boolean): number | undefined {
  if (!v5) return undefined;
  if (limits.serverKeepAlive !== undefined) return limits.serverKeepAlive;
  const ceiling = limits.maxKeepAlive;
  return ceiling !== undefined && (requested === 0 || requested > ceiling) ? ceiling : undefined;
}

function connackFor(connection: FlowConnection, granted: number, requested: number, assigned: string | undefined, serverKeepAlive: number | undefined): ConnackPacket {
  const limits = connection.core.limits;
  const properties: ConnackProperties = {
    receiveMaximum: limits.receiveMaximum,
    maximumPacketSize: limits.maxPacketSize,
    topicAliasMaximum: limits.topicAliasMaximum,
    retainAvailable: true,
    wildcardSubscriptionAvailable: true,
    subscriptionIdentifiersAvailable: true,
    sharedSubscriptionAvailable: true,
    ...(assigned !== undefined ? { assignedClientIdentifier: assigned } : {}),
    ...(granted !== requested ? { sessionExpiryInterval: granted } : {}),
    ...(serverKeepAlive !== undefined ? { serverKeepAlive } : {}),
  };
  return { type: 'connack', sessionPresent: false, reasonCode: 0, properties };
}
