/**
 * The MQTT 5.0 property table (section 2.2.2.2): identifier, camelCase name, data type, the packets
 * that may carry it, whether it may repeat, and its value range.
 */

/** Data types of property values. */
export const BYTE = 1;
export const TWO_BYTE = 2;
export const FOUR_BYTE = 3;
export const VARIABLE_BYTE = 4;
export const UTF8_STRING = 5;
export const BINARY = 6;
export const STRING_PAIR = 7;

/** Packet kinds as bit masks (bit = control packet type; the will gets bit 16). */
export const K_CONNECT = 1 << 1;
export const K_CONNACK = 1 << 2;
export const K_PUBLISH = 1 << 3;
export const K_PUBACK = 1 << 4;
export const K_PUBREC = 1 << 5;
export const K_PUBREL = 1 << 6;
export const K_PUBCOMP = 1 << 7;
export const K_SUBSCRIBE = 1 << 8;
export const K_SUBACK = 1 << 9;
export const K_UNSUBSCRIBE = 1 << 10;
export const K_UNSUBACK = 1 << 11;
export const K_DISCONNECT = 1 << 14;
export const K_AUTH = 1 << 15;
export const K_WILL = 1 << 16;
const K_ACKS = K_PUBACK | K_PUBREC | K_PUBREL | K_PUBCOMP | K_SUBACK | K_UNSUBACK;
const K_ALL = K_CONNECT | K_CONNACK | K_PUBLISH | K_ACKS | K_SUBSCRIBE | K_UNSUBSCRIBE | K_DISCONNECT | K_AUTH | K_WILL;

/** One row of the property table (see {@link PROPERTIES}). */
export interface PropertyDefinition {
  /** The property identifier on the wire, e.g. 0x23 for Topic Alias. */
  readonly id: number;
  /** The camelCase name used in the property objects, e.g. `topicAlias`. */
  readonly name: string;
  /** The data type of the value: one of the type codes 1 (byte) to 7 (UTF-8 string pair). */
  readonly type: number;
  /** Bit mask of the packet kinds that may carry it. */
  readonly kinds: number;
  /** May appear more than once (user properties; subscription identifiers in PUBLISH). */
  readonly multiple: boolean;
  /** The value is a boolean carried as a byte 0 or 1. */
  readonly boolean: boolean;
  /** Smallest value allowed (numeric properties). */
  readonly min: number;
  /** Largest value allowed (numeric properties). */
  readonly max: number;
}

function def(id: number, name: string, type: number, kinds: number, extra: Partial<PropertyDefinition> = {}): PropertyDefinition {
  const max = type === BYTE ? 255 : type === TWO_BYTE ? 65535 : type === FOUR_BYTE ? 4294967295 : 268435455;
  return { id, name, type, kinds, multiple: false, boolean: false, min: 0, max, ...extra };
}

/**
 * Every MQTT 5.0 property, in identifier order.
 *
 * @example
 * ```ts
 * PROPERTIES.find((p) => p.name === 'topicAlias')?.id; // 0x23
 * ```
 */
export const PROPERTIES: readonly PropertyDefinition[] = [
  def(0x01, 'payloadFormatIndicator', BYTE, K_PUBLISH | K_WILL, { max: 1 }),
  def(0x02, 'messageExpiryInterval', FOUR_BYTE, K_PUBLISH | K_WILL),
  def(0x03, 'contentType', UTF8_STRING, K_PUBLISH | K_WILL),
  def(0x08, 'responseTopic', UTF8_STRING, K_PUBLISH | K_WILL),
  def(0x09, 'correlationData', BINARY, K_PUBLISH | K_WILL),
  // 0x0B: an array `subscriptionIdentifiers` in PUBLISH (may repeat), a single value in SUBSCRIBE.
  def(0x0b, 'subscriptionIdentifiers', VARIABLE_BYTE, K_PUBLISH, { multiple: true, min: 1 }),
  def(0x0b, 'subscriptionIdentifier', VARIABLE_BYTE, K_SUBSCRIBE, { min: 1 }),
  def(0x11, 'sessionExpiryInterval', FOUR_BYTE, K_CONNECT | K_CONNACK | K_DISCONNECT),
  def(0x12, 'assignedClientIdentifier', UTF8_STRING, K_CONNACK),
  def(0x13, 'serverKeepAlive', TWO_BYTE, K_CONNACK),
  def(0x15, 'authenticationMethod', UTF8_STRING, K_CONNECT | K_CONNACK | K_AUTH),
  def(0x16, 'authenticationData', BINARY, K_CONNECT | K_CONNACK | K_AUTH),
  def(0x17, 'requestProblemInformation', BYTE, K_CONNECT, { boolean: true, max: 1 }),
  def(0x18, 'willDelayInterval', FOUR_BYTE, K_WILL),
  def(0x19, 'requestResponseInformation', BYTE, K_CONNECT, { boolean: true, max: 1 }),
  def(0x1a, 'responseInformation', UTF8_STRING, K_CONNACK),
  def(0x1c, 'serverReference', UTF8_STRING, K_CONNACK | K_DISCONNECT),
  def(0x1f, 'reasonString', UTF8_STRING, K_CONNACK | K_ACKS | K_DISCONNECT | K_AUTH),
  def(0x21, 'receiveMaximum', TWO_BYTE, K_CONNECT | K_CONNACK, { min: 1 }),
  def(0x22, 'topicAliasMaximum', TWO_BYTE, K_CONNECT | K_CONNACK),
  def(0x23, 'topicAlias', TWO_BYTE, K_PUBLISH, { min: 1 }),
  def(0x24, 'maximumQoS', BYTE, K_CONNACK, { max: 1 }),
  def(0x25, 'retainAvailable', BYTE, K_CONNACK, { boolean: true, max: 1 }),
  def(0x26, 'userProperties', STRING_PAIR, K_ALL, { multiple: true }),
  def(0x27, 'maximumPacketSize', FOUR_BYTE, K_CONNECT | K_CONNACK, { min: 1 }),
  def(0x28, 'wildcardSubscriptionAvailable', BYTE, K_CONNACK, { boolean: true, max: 1 }),
  def(0x29, 'subscriptionIdentifiersAvailable', BYTE, K_CONNACK, { boolean: true, max: 1 }),
  def(0x2a, 'sharedSubscriptionAvailable', BYTE, K_CONNACK, { boolean: true, max: 1 }),
];

/** Lookup by camelCase name. */
export const PROPERTY_BY_NAME: ReadonlyMap<string, PropertyDefinition> = new Map(PROPERTIES.map((p) => [p.name, p]));

/** Lookup by identifier (0x0B resolves to the PUBLISH form; see {@link propertyFor}). */
const BY_ID: (PropertyDefinition | undefined)[] = [];
for (const p of PROPERTIES) if (BY_ID[p.id] === undefined) BY_ID[p.id] = p;
const SUBSCRIPTION_IDENTIFIER_SINGLE = PROPERTY_BY_NAME.get('subscriptionIdentifier')!;

/** The property definition for identifier `id` in a packet of `kind`, or undefined when unknown. */
export function propertyFor(id: number, kind: number): PropertyDefinition | undefined {
  if (id === 0x0b && kind === K_SUBSCRIBE) return SUBSCRIPTION_IDENTIFIER_SINGLE;
  return id < BY_ID.length ? BY_ID[id] : undefined;
}
