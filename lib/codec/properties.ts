/**
 * MQTT 5.0 properties as plain objects with camelCase names (see docs/codec.md for the table of
 * identifiers). A property that is absent is `undefined`; user properties keep their order and may
 * repeat a name.
 */

/** One MQTT 5 user property: a name and a value, both UTF-8 strings. Order is preserved; names may repeat. */
export type UserProperty = readonly [name: string, value: string];

/** Properties of CONNECT (MQTT 5.0, section 3.1.2.11). */
export interface ConnectProperties {
  /**
   * Seconds the broker keeps the session after the connection closes; 0 (absent) ends it with the
   * connection, 0xFFFFFFFF never expires.
   */
  readonly sessionExpiryInterval?: number;
  /** Most QoS 1 and 2 messages the client accepts unacknowledged at once (1..65535, default 65535). */
  readonly receiveMaximum?: number;
  /** Largest packet, in bytes, the client accepts; the broker does not send bigger ones. */
  readonly maximumPacketSize?: number;
  /** Highest topic alias the client accepts from the broker (0, the default: none). */
  readonly topicAliasMaximum?: number;
  /** Asks the broker for Response Information in CONNACK. */
  readonly requestResponseInformation?: boolean;
  /**
   * False asks the broker to send Reason Strings and User Properties only in CONNACK and DISCONNECT
   * (default true).
   */
  readonly requestProblemInformation?: boolean;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
  /** The extended authentication method (e.g. `SCRAM-SHA-1`); AUTH packets follow. */
  readonly authenticationMethod?: string;
  /** Data of the extended authentication method, opaque to MQTT. */
  readonly authenticationData?: Uint8Array;
}

/** Properties of the will message in CONNECT (MQTT 5.0, section 3.1.3.2). */
export interface WillProperties {
  /**
   * Seconds the broker waits after the connection is lost before publishing the will (it is not
   * published if the client reconnects in time).
   */
  readonly willDelayInterval?: number;
  /** 1: the payload is UTF-8 text; 0 (or absent): unspecified bytes. */
  readonly payloadFormatIndicator?: 0 | 1;
  /**
   * Seconds the message lives; the broker drops it undelivered after that and forwards the remaining
   * lifetime.
   */
  readonly messageExpiryInterval?: number;
  /** The payload's content type, e.g. `application/json` (a MIME type by convention). */
  readonly contentType?: string;
  /** Request/response: the topic the receiver should publish its answer to. */
  readonly responseTopic?: string;
  /** Request/response: bytes the requester uses to match an answer to its request. */
  readonly correlationData?: Uint8Array;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of CONNACK (MQTT 5.0, section 3.2.2.3). */
export interface ConnackProperties {
  /** The session expiry the broker applies when it differs from the one the client asked for. */
  readonly sessionExpiryInterval?: number;
  /**
   * Most QoS 1 and 2 publishes the broker accepts unacknowledged at once (default 65535); the client
   * sends no more.
   */
  readonly receiveMaximum?: number;
  /** Highest QoS the broker supports, when below 2. */
  readonly maximumQoS?: 0 | 1;
  /** False when the broker does not support retained messages. */
  readonly retainAvailable?: boolean;
  /** Largest packet, in bytes, the broker accepts. */
  readonly maximumPacketSize?: number;
  /** The client identifier the broker assigned, when the client connected without one. */
  readonly assignedClientIdentifier?: string;
  /** Highest topic alias the broker accepts from the client (absent or 0: none). */
  readonly topicAliasMaximum?: number;
  /** A human-readable reason, for diagnostics only (not to be parsed). */
  readonly reasonString?: string;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
  /** False when the broker does not support wildcard subscriptions. */
  readonly wildcardSubscriptionAvailable?: boolean;
  /** False when the broker does not support subscription identifiers. */
  readonly subscriptionIdentifiersAvailable?: boolean;
  /** False when the broker does not support shared subscriptions (`$share/...`). */
  readonly sharedSubscriptionAvailable?: boolean;
  /** The keep alive, in seconds, the broker imposes instead of the one the client asked for. */
  readonly serverKeepAlive?: number;
  /** The basis of response topics, when the client asked for it with `requestResponseInformation`. */
  readonly responseInformation?: string;
  /** Another server the client should use (with a refusing reason code such as 0x9C Use another server). */
  readonly serverReference?: string;
  /** The extended authentication method in use (e.g. `SCRAM-SHA-1`). */
  readonly authenticationMethod?: string;
  /** Data of the extended authentication method, opaque to MQTT. */
  readonly authenticationData?: Uint8Array;
}

/** Properties of PUBLISH (MQTT 5.0, section 3.3.2.3). */
export interface PublishProperties {
  /** 1: the payload is UTF-8 text; 0 (or absent): unspecified bytes. */
  readonly payloadFormatIndicator?: 0 | 1;
  /**
   * Seconds the message lives; the broker drops it undelivered after that and forwards the remaining
   * lifetime.
   */
  readonly messageExpiryInterval?: number;
  /**
   * A number standing for the topic, so that later PUBLISH packets can leave the topic empty (per
   * connection).
   */
  readonly topicAlias?: number;
  /** Request/response: the topic the receiver should publish its answer to. */
  readonly responseTopic?: string;
  /** Request/response: bytes the requester uses to match an answer to its request. */
  readonly correlationData?: Uint8Array;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
  /** Only from server to client; may hold several identifiers. */
  readonly subscriptionIdentifiers?: readonly number[];
  /** The payload's content type, e.g. `application/json` (a MIME type by convention). */
  readonly contentType?: string;
}

/** Properties of PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK (MQTT 5.0). */
export interface AckProperties {
  /** A human-readable reason, for diagnostics only (not to be parsed). */
  readonly reasonString?: string;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of SUBSCRIBE (MQTT 5.0, section 3.8.2.1). */
export interface SubscribeProperties {
  /** A number (1..268435455) the broker attaches to each message delivered through this subscription. */
  readonly subscriptionIdentifier?: number;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of UNSUBSCRIBE (MQTT 5.0, section 3.10.2.1). */
export interface UnsubscribeProperties {
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of DISCONNECT (MQTT 5.0, section 3.14.2.2). */
export interface DisconnectProperties {
  /** From the client: a new session expiry interval (not allowed when CONNECT set 0). */
  readonly sessionExpiryInterval?: number;
  /** A human-readable reason, for diagnostics only (not to be parsed). */
  readonly reasonString?: string;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
  /** From the broker: another server the client should use. */
  readonly serverReference?: string;
}

/** Properties of AUTH (MQTT 5.0, section 3.15.2.2). */
export interface AuthProperties {
  /** The extended authentication method in use (e.g. `SCRAM-SHA-1`). */
  readonly authenticationMethod?: string;
  /** Data of the extended authentication method, opaque to MQTT. */
  readonly authenticationData?: Uint8Array;
  /** A human-readable reason, for diagnostics only (not to be parsed). */
  readonly reasonString?: string;
  /** Application-defined name/value pairs, in order; a name may repeat. */
  readonly userProperties?: readonly UserProperty[];
}
