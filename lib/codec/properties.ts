/**
 * MQTT 5.0 properties as plain objects with camelCase names (see docs/codec.md for the table of
 * identifiers). A property that is absent is `undefined`; user properties keep their order and may
 * repeat a name.
 */

/** One MQTT 5 user property: a name and a value, both UTF-8 strings. Order is preserved; names may repeat. */
export type UserProperty = readonly [name: string, value: string];

/** Properties of CONNECT (MQTT 5.0, section 3.1.2.11). */
export interface ConnectProperties {
  readonly sessionExpiryInterval?: number;
  readonly receiveMaximum?: number;
  readonly maximumPacketSize?: number;
  readonly topicAliasMaximum?: number;
  readonly requestResponseInformation?: boolean;
  readonly requestProblemInformation?: boolean;
  readonly userProperties?: readonly UserProperty[];
  readonly authenticationMethod?: string;
  readonly authenticationData?: Uint8Array;
}

/** Properties of the will message in CONNECT (MQTT 5.0, section 3.1.3.2). */
export interface WillProperties {
  readonly willDelayInterval?: number;
  readonly payloadFormatIndicator?: 0 | 1;
  readonly messageExpiryInterval?: number;
  readonly contentType?: string;
  readonly responseTopic?: string;
  readonly correlationData?: Uint8Array;
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of CONNACK (MQTT 5.0, section 3.2.2.3). */
export interface ConnackProperties {
  readonly sessionExpiryInterval?: number;
  readonly receiveMaximum?: number;
  readonly maximumQoS?: 0 | 1;
  readonly retainAvailable?: boolean;
  readonly maximumPacketSize?: number;
  readonly assignedClientIdentifier?: string;
  readonly topicAliasMaximum?: number;
  readonly reasonString?: string;
  readonly userProperties?: readonly UserProperty[];
  readonly wildcardSubscriptionAvailable?: boolean;
  readonly subscriptionIdentifiersAvailable?: boolean;
  readonly sharedSubscriptionAvailable?: boolean;
  readonly serverKeepAlive?: number;
  readonly responseInformation?: string;
  readonly serverReference?: string;
  readonly authenticationMethod?: string;
  readonly authenticationData?: Uint8Array;
}

/** Properties of PUBLISH (MQTT 5.0, section 3.3.2.3). */
export interface PublishProperties {
  readonly payloadFormatIndicator?: 0 | 1;
  readonly messageExpiryInterval?: number;
  readonly topicAlias?: number;
  readonly responseTopic?: string;
  readonly correlationData?: Uint8Array;
  readonly userProperties?: readonly UserProperty[];
  /** Only from server to client; may hold several identifiers. */
  readonly subscriptionIdentifiers?: readonly number[];
  readonly contentType?: string;
}

/** Properties of PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK (MQTT 5.0). */
export interface AckProperties {
  readonly reasonString?: string;
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of SUBSCRIBE (MQTT 5.0, section 3.8.2.1). */
export interface SubscribeProperties {
  readonly subscriptionIdentifier?: number;
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of UNSUBSCRIBE (MQTT 5.0, section 3.10.2.1). */
export interface UnsubscribeProperties {
  readonly userProperties?: readonly UserProperty[];
}

/** Properties of DISCONNECT (MQTT 5.0, section 3.14.2.2). */
export interface DisconnectProperties {
  readonly sessionExpiryInterval?: number;
  readonly reasonString?: string;
  readonly userProperties?: readonly UserProperty[];
  readonly serverReference?: string;
}

/** Properties of AUTH (MQTT 5.0, section 3.15.2.2). */
export interface AuthProperties {
  readonly authenticationMethod?: string;
  readonly authenticationData?: Uint8Array;
  readonly reasonString?: string;
  readonly userProperties?: readonly UserProperty[];
}
