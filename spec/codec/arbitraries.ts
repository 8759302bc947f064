/**
 * fast-check arbitraries producing VALID packets in their canonical decoded form (see the comment at
 * the top of lib/codec/packet.ts): what `decode(encode(p))` must give back unchanged.
 *
 * Canonical form, in short: optional fields are absent rather than set to `undefined`; MQTT 5.0
 * `properties` is absent or holds at least one property (user property lists are non-empty); MQTT
 * 5.0 acks, DISCONNECT and AUTH always carry `reasonCode`; MQTT 5.0 subscriptions carry every option;
 * MQTT 3.1.1 packets carry no 5.0-only field; QoS 0 PUBLISH has no packetId and dup false.
 */
import fc from 'fast-check';
import type {
  AuthPacket, ConnackPacket, ConnectPacket, DisconnectPacket, Packet, PacketType, PingreqPacket, PingrespPacket,
  ProtocolVersion, PubackPacket, PubcompPacket, PublishPacket, PubrecPacket, PubrelPacket, QoS, SubackPacket,
  SubscribePacket, Subscription, UnsubackPacket, UnsubscribePacket, Will,
} from '../../lib/codec/packet.js';
import type { UserProperty } from '../../lib/codec/properties.js';

type Arb<T> = fc.Arbitrary<T>;

// ---------------------------------------------------------------------------------------------
// Scalars

/** Any Unicode scalar value except U+0000 [MQTT-1.5.4-2] and surrogates [MQTT-1.5.4-1], mostly ASCII. */
const char: Arb<string> = fc
  .oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x01, max: 0xd7ff }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0x10ffff }) },
  )
  .map((code) => String.fromCodePoint(code));

/** A valid MQTT UTF-8 string (short: the codec's cost does not depend on content). */
export const mqttString = (maxLength = 12): Arb<string> => fc.string({ unit: char, maxLength });

/** Deterministic filler so that large byte arrays are cheap to generate and to shrink (by length). */
function fill(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Binary data of at most `max` bytes: mostly short, sometimes long (past a 1-byte remaining length). */
export const bytes = (max = 70_000): Arb<Uint8Array> =>
  max <= 40
    ? fc.uint8Array({ maxLength: max })
    : fc.oneof(
      { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 41, max }), fc.integer()).map(([n, s]) => fill(n, s)) },
    );

export const packetId: Arb<number> = fc.integer({ min: 1, max: 65535 });
export const qos: Arb<QoS> = fc.constantFrom<QoS>(0, 1, 2);
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const varInt = fc.integer({ min: 1, max: 268_435_455 });

// ---------------------------------------------------------------------------------------------
// Topics

/** One topic level: no '/', and no wildcard characters [MQTT-3.3.2-2]; may be empty. */
const level: Arb<string> = fc.string({ unit: char.filter((c) => c !== '/' && c !== '+' && c !== '#'), maxLength: 6 });

/** A valid topic name: at least one character [MQTT-4.7.3-1], no wildcards [MQTT-3.3.2-2]. */
export const topicName: Arb<string> = fc
  .array(level, { minLength: 1, maxLength: 4 })
  .map((levels) => levels.join('/'))
  .filter((t) => t.length > 0 && !t.startsWith('$share/'));

/** A valid topic filter: '+' fills a whole level, '#' only last and alone [MQTT-4.7.1-1, MQTT-4.7.1-2]. */
export const topicFilter: Arb<string> = fc
  .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: level }, { weight: 1, arbitrary: fc.constant('+') }), { maxLength: 4 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .filter((f) => f.length > 0 && !f.startsWith('$share/'));

/** An MQTT 5.0 shared subscription filter: `$share/{non-empty share name}/{filter}` (section 4.8.2). */
export const sharedFilter: Arb<string> = fc
  .tuple(level.filter((l) => l.length > 0), topicFilter)
  .map(([share, filter]) => `$share/${share}/${filter}`);

/** Filters of a version: MQTT 5.0 adds shared subscriptions. */
const filterOf = (v: ProtocolVersion): Arb<string> =>
  v === 4 ? topicFilter : fc.oneof({ weight: 4, arbitrary: topicFilter }, { weight: 1, arbitrary: sharedFilter });

// ---------------------------------------------------------------------------------------------
// Properties (MQTT 5.0)

const userProperties: Arb<readonly UserProperty[]> = fc.array(
  fc.tuple(mqttString(8), mqttString(8)).map(([k, v]): UserProperty => [k, v]),
  { minLength: 1, maxLength: 3 },
);

/** Builds an optional-properties arbitrary: each key may be absent; all absent gives undefined. */
function props<T extends object>(model: { [K in keyof T]-?: Arb<T[K]> }): Arb<T | undefined> {
  return fc
    .record(model as { [K in keyof T]: Arb<T[K]> }, { requiredKeys: [] })
    .map((p) => (Object.keys(p).length === 0 ? undefined : ({ ...p } as T)));
}

/** Authentication data only beside an authentication method. */
function withAuthRule<T extends { authenticationMethod?: string; authenticationData?: Uint8Array }>(p: T | undefined): T | undefined {
  if (p === undefined || p.authenticationData === undefined || p.authenticationMethod !== undefined) return p;
  const { authenticationData: _dropped, ...rest } = p;
  return Object.keys(rest).length === 0 ? undefined : (rest as T);
}

const connectProperties = props({
  sessionExpiryInterval: u32,
  receiveMaximum: fc.integer({ min: 1, max: 0xffff }), // 0 is a Protocol Error
  maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }), // 0 is a Protocol Error
  topicAliasMaximum: u16,
  requestResponseInformation: fc.boolean(),
  requestProblemInformation: fc.boolean(),
  userProperties,
  authenticationMethod: mqttString(),
  authenticationData: bytes(64),
}).map(withAuthRule);

const willProperties = props({
  willDelayInterval: u32,
  payloadFormatIndicator: fc.constantFrom<0 | 1>(0, 1),
  messageExpiryInterval: u32,
  contentType: mqttString(),
  responseTopic: topicName,
  correlationData: bytes(64),
  userProperties,
});

const connackProperties = props({
  sessionExpiryInterval: u32,
  receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
  maximumQoS: fc.constantFrom<0 | 1>(0, 1),
  retainAvailable: fc.boolean(),
  maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }),
  assignedClientIdentifier: mqttString(),
  topicAliasMaximum: u16,
  reasonString: mqttString(),
  userProperties,
  wildcardSubscriptionAvailable: fc.boolean(),
  subscriptionIdentifiersAvailable: fc.boolean(),
  sharedSubscriptionAvailable: fc.boolean(),
  serverKeepAlive: u16,
  responseInformation: mqttString(),
  serverReference: mqttString(),
  authenticationMethod: mqttString(),
  authenticationData: bytes(64),
}).map(withAuthRule);

const publishProperties = props({
  payloadFormatIndicator: fc.constantFrom<0 | 1>(0, 1),
  messageExpiryInterval: u32,
  topicAlias: fc.integer({ min: 1, max: 0xffff }), // 0 is a Protocol Error [MQTT-3.3.2-8]
  responseTopic: topicName,
  correlationData: bytes(64),
  userProperties,
  subscriptionIdentifiers: fc.array(varInt, { minLength: 1, maxLength: 3 }),
  contentType: mqttString(),
});

const ackProperties = props({ reasonString: mqttString(), userProperties });
const subscribeProperties = props({ subscriptionIdentifier: varInt, userProperties });
const unsubscribeProperties = props({ userProperties });
const disconnectProperties = props({
  sessionExpiryInterval: u32,
  reasonString: mqttString(),
  userProperties,
  serverReference: mqttString(),
});

/** Adds `properties` (MQTT 5.0 only) when the arbitrary produced some. */
function withProps<P extends object, Q>(packet: P, properties: Q | undefined): P {
  return properties === undefined ? packet : { ...packet, properties };
}

// ---------------------------------------------------------------------------------------------
// Reason codes (MQTT 5.0 tables per packet; 3.1.1 where it has codes)

const RC = {
  connack4: [0, 1, 2, 3, 4, 5],
  connack5: [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f],
  pubackPubrec: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrelPubcomp: [0x00, 0x92],
  suback4: [0, 1, 2, 0x80],
  suback5: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  disconnect: [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2],
  auth: [0x00, 0x18, 0x19],
} as const;

const oneOf = (codes: readonly number[]): Arb<number> => fc.constantFrom(...codes);

// ---------------------------------------------------------------------------------------------
// Packets

const will = (v: ProtocolVersion): Arb<Will> =>
  fc
    .record({ topic: topicName, payload: bytes(2000), qos, retain: fc.boolean(), properties: v === 5 ? willProperties : fc.constant(undefined) })
    .map(({ properties, ...w }) => withProps(w, properties));

export const connect = (v: ProtocolVersion): Arb<ConnectPacket> =>
  fc
    .record({
      clientId: mqttString(23),
      cleanStart: fc.boolean(),
      keepAlive: u16,
      username: fc.option(mqttString(), { nil: undefined }),
      password: fc.option(bytes(64), { nil: undefined }),
      will: fc.option(will(v), { nil: undefined }),
      properties: v === 5 ? connectProperties : fc.constant(undefined),
    })
    .map(({ clientId, cleanStart, keepAlive, username, password, will: w, properties }) => {
      // 3.1.1: an empty client id needs a clean session [MQTT-3.1.3-7]; a password needs a user name [MQTT-3.1.2-22].
      const p: { -readonly [K in keyof ConnectPacket]: ConnectPacket[K] } = {
        type: 'connect', protocolVersion: v, clientId, cleanStart: v === 4 && clientId === '' ? true : cleanStart, keepAlive,
      };
      if (username !== undefined) p.username = username;
      if (password !== undefined && (v === 5 || username !== undefined)) p.password = password;
      if (w !== undefined) p.will = w;
      if (properties !== undefined) p.properties = properties;
      return p;
    });

export const connack = (v: ProtocolVersion): Arb<ConnackPacket> =>
  fc
    .record({ sessionPresent: fc.boolean(), reasonCode: oneOf(v === 4 ? RC.connack4 : RC.connack5), properties: v === 5 ? connackProperties : fc.constant(undefined) })
    // Session present is 0 in a refusal [MQTT-3.2.2-4] [MQTT-3.2.2-6].
    .map(({ sessionPresent, reasonCode, properties }) =>
      withProps<ConnackPacket, unknown>({ type: 'connack', sessionPresent: reasonCode === 0 && sessionPresent, reasonCode }, properties));

/** `maxPayload` bounds the payload length (default 70 000, past the 3-byte remaining length). */
export const publish = (v: ProtocolVersion, maxPayload = 70_000): Arb<PublishPacket> =>
  fc
    .record({ topic: topicName, emptyTopic: fc.boolean(), payload: bytes(maxPayload), qos, retain: fc.boolean(), dup: fc.boolean(), packetId, properties: v === 5 ? publishProperties : fc.constant(undefined) })
    .map(({ topic, emptyTopic, payload, qos: q, retain, dup, packetId: id, properties }): PublishPacket => {
      const pr = properties as { payloadFormatIndicator?: 0 | 1; topicAlias?: number } | undefined;
      // A payload declared UTF-8 must be UTF-8 [MQTT-3.3.2-4]: use the text of the topic.
      const body = pr?.payloadFormatIndicator === 1 ? new TextEncoder().encode(topic) : payload;
      // An empty topic is allowed only with a topic alias (MQTT 5.0).
      const t = emptyTopic && pr?.topicAlias !== undefined ? '' : topic;
      // QoS 0: no packet id and DUP 0 [MQTT-3.3.1-2] [MQTT-2.2.1-2].
      const base: PublishPacket = q === 0
        ? { type: 'publish', topic: t, payload: body, qos: 0, retain, dup: false }
        : { type: 'publish', topic: t, payload: body, qos: q, retain, dup, packetId: id };
      return withProps(base, properties);
    });

function ack<T extends 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'>(type: T, codes: readonly number[]) {
  return (v: ProtocolVersion) =>
    v === 4
      ? packetId.map((id) => ({ type, packetId: id }))
      : fc.record({ id: packetId, rc: oneOf(codes), properties: ackProperties })
        .map(({ id, rc, properties }) => withProps({ type, packetId: id, reasonCode: rc }, properties));
}
export const puback: (v: ProtocolVersion) => Arb<PubackPacket> = ack('puback', RC.pubackPubrec);
export const pubrec: (v: ProtocolVersion) => Arb<PubrecPacket> = ack('pubrec', RC.pubackPubrec);
export const pubrel: (v: ProtocolVersion) => Arb<PubrelPacket> = ack('pubrel', RC.pubrelPubcomp);
export const pubcomp: (v: ProtocolVersion) => Arb<PubcompPacket> = ack('pubcomp', RC.pubrelPubcomp);

const subscription = (v: ProtocolVersion): Arb<Subscription> =>
  v === 4
    ? fc.record({ topicFilter, qos })
    : fc
      .record({ topicFilter: filterOf(5), qos, noLocal: fc.boolean(), retainAsPublished: fc.boolean(), retainHandling: fc.constantFrom<0 | 1 | 2>(0, 1, 2) })
      // No Local must be 0 on a shared subscription [MQTT-3.8.3-4].
      .map((s) => (s.noLocal && s.topicFilter.startsWith('$share/') ? { ...s, noLocal: false } : s));

export const subscribe = (v: ProtocolVersion): Arb<SubscribePacket> =>
  fc
    .record({ id: packetId, subscriptions: fc.array(subscription(v), { minLength: 1, maxLength: 4 }), properties: v === 5 ? subscribeProperties : fc.constant(undefined) })
    .map(({ id, subscriptions, properties }) => withProps<SubscribePacket, unknown>({ type: 'subscribe', packetId: id, subscriptions }, properties));

export const suback = (v: ProtocolVersion): Arb<SubackPacket> =>
  fc
    .record({ id: packetId, codes: fc.array(oneOf(v === 4 ? RC.suback4 : RC.suback5), { minLength: 1, maxLength: 6 }), properties: v === 5 ? ackProperties : fc.constant(undefined) })
    .map(({ id, codes, properties }) => withProps<SubackPacket, unknown>({ type: 'suback', packetId: id, reasonCodes: codes }, properties));

export const unsubscribe = (v: ProtocolVersion): Arb<UnsubscribePacket> =>
  fc
    .record({ id: packetId, filters: fc.array(filterOf(v), { minLength: 1, maxLength: 4 }), properties: v === 5 ? unsubscribeProperties : fc.constant(undefined) })
    .map(({ id, filters, properties }) => withProps<UnsubscribePacket, unknown>({ type: 'unsubscribe', packetId: id, topicFilters: filters }, properties));

export const unsuback = (v: ProtocolVersion): Arb<UnsubackPacket> =>
  v === 4
    ? packetId.map((id): UnsubackPacket => ({ type: 'unsuback', packetId: id }))
    : fc.record({ id: packetId, codes: fc.array(oneOf(RC.unsuback), { minLength: 1, maxLength: 6 }), properties: ackProperties })
      .map(({ id, codes, properties }) => withProps<UnsubackPacket, unknown>({ type: 'unsuback', packetId: id, reasonCodes: codes }, properties));

export const pingreq = (_v: ProtocolVersion): Arb<PingreqPacket> => fc.constant({ type: 'pingreq' });
export const pingresp = (_v: ProtocolVersion): Arb<PingrespPacket> => fc.constant({ type: 'pingresp' });

export const disconnect = (v: ProtocolVersion): Arb<DisconnectPacket> =>
  v === 4
    ? fc.constant({ type: 'disconnect' })
    : fc.record({ rc: oneOf(RC.disconnect), properties: disconnectProperties })
      .map(({ rc, properties }) => withProps<DisconnectPacket, unknown>({ type: 'disconnect', reasonCode: rc }, properties));

/** MQTT 5.0 only. Any AUTH but the empty success form names its authentication method. */
export const auth = (_v: 5 = 5): Arb<AuthPacket> =>
  fc
    .record({
      rc: oneOf(RC.auth),
      short: fc.boolean(),
      method: mqttString(),
      rest: props({ authenticationData: bytes(64), reasonString: mqttString(), userProperties }),
    })
    .map(({ rc, short, method, rest }): AuthPacket =>
      rc === 0 && short ? { type: 'auth', reasonCode: 0 } : { type: 'auth', reasonCode: rc, properties: { authenticationMethod: method, ...rest } });

/** The per-type arbitraries, keyed by packet type (AUTH exists in MQTT 5.0 only). */
export const packetArbitraries: { readonly [T in PacketType]: (v: ProtocolVersion) => Arb<Extract<Packet, { type: T }>> } = {
  connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect,
  auth: () => auth(5),
};

/** The packet types that exist in `v`. */
export function packetTypes(v: ProtocolVersion): PacketType[] {
  return (Object.keys(packetArbitraries) as PacketType[]).filter((t) => v === 5 || t !== 'auth');
}

/**
 * Any valid packet of protocol version `v`, in canonical decoded form; PUBLISH is weighted up.
 * `maxPayload` bounds PUBLISH payloads (default 70 000).
 */
export function arbitraryPacket(v: ProtocolVersion, maxPayload = 70_000): Arb<Packet> {
  return fc.oneof(
    ...packetTypes(v).map((t) => ({
      weight: t === 'publish' ? 4 : 1,
      arbitrary: (t === 'publish' ? publish(v, maxPayload) : packetArbitraries[t](v)) as Arb<Packet>,
    })),
  );
}

/**
 * A form of a packet (or list of packets) that jest compares quickly: every Uint8Array becomes a
 * tagged base64 string (so a 64 KiB payload is one string comparison, and a non-Uint8Array binary
 * field still shows as different). Use as `expect(comparable(actual)).toEqual(comparable(expected))`.
 */
export function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return `Uint8Array(${value.length}):${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  }
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = comparable(v);
    return out;
  }
  return value;
}
