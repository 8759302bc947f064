import type { ConnackPacket, Subscription } from '../codec/packet.js';
import type { SubscribeProperties } from '../codec/properties.js';
import { parseSharedFilter } from '../codec/topic.js';
import { SubscribeRefusedError } from '../errors.js';

/**
 * What is wrong with subscribing to `subscription` (with `properties`) on a server that answered
 * `connack`, as the error to raise before the SUBSCRIBE is sent, or undefined when it may be sent.
 * An MQTT 5 server announces in its CONNACK what it does not support, and a SUBSCRIBE using it is a
 * Protocol Error the server answers by closing the connection; so the client refuses, with
 * {@link SubscribeRefusedError} carrying the reason code the server would have used:
 * - a wildcard filter (`+` or `#`) when Wildcard Subscription Available is 0: 0xA2 (MQTT 5 section 3.2.2.3.11);
 * - a `$share/` filter when Shared Subscription Available is 0: 0x9E (section 3.2.2.3.13);
 * - a Subscription Identifier when Subscription Identifiers Available is 0: 0xA1 (section 3.2.2.3.12).
 *
 * @example
 * ```ts
 * const problem = checkSubscribeLimits({ topicFilter: 'a/+', qos: 1 }, undefined, connack);
 * if (problem) return throwError(() => problem);
 * ```
 */
export function checkSubscribeLimits(
  subscription: Subscription,
  properties: SubscribeProperties | undefined,
  connack: ConnackPacket,
): SubscribeRefusedError | undefined {
  const props = connack.properties;
  if (props === undefined) return undefined; // MQTT 3.1.1, or a server with no limits to announce
  const filter = subscription.topicFilter;
  const shared = parseSharedFilter(filter);
  if (shared !== undefined && props.sharedSubscriptionAvailable === false) {
    // MQTT 5 section 3.2.2.3.13: the server would disconnect with 0x9E.
    return refuse(filter, 0x9e, 'Shared Subscription Available is 0');
  }
  // The topic part of a shared filter follows the share name: $share/{ShareName}/{filter}.
  const topicPart = shared?.filter ?? filter;
  if (props.wildcardSubscriptionAvailable === false && hasWildcard(topicPart)) {
    // MQTT 5 section 3.2.2.3.11: the server would disconnect with 0xA2.
    return refuse(filter, 0xa2, 'Wildcard Subscription Available is 0');
  }
  if (properties?.subscriptionIdentifier !== undefined && props.subscriptionIdentifiersAvailable === false) {
    // MQTT 5 section 3.2.2.3.12: the server would disconnect with 0xA1.
    return refuse(filter, 0xa1, 'Subscription Identifiers Available is 0');
  }
  return undefined;
}

function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

function refuse(filter: string, reasonCode: number, what: string): SubscribeRefusedError {
  return new SubscribeRefusedError(filter, reasonCode, {
    reasonString: `not sent: the server's CONNACK says ${what}`,
  });
}
