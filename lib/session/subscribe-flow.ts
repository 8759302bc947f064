import { Observable } from 'rxjs';
import type { SubackPacket, SubscribePacket, UnsubackPacket, UnsubscribePacket } from '../codec/packet.js';
import { ProtocolError } from '../errors.js';
import type { OutboundFlowContext } from './outbound-flow-context.js';
import type { AckPacket } from './ack-router.js';
import { createOperatorSubscriber } from '../operators/operate.js';

/**
 * SUBSCRIBE then SUBACK (MQTT section 3.8/3.9). Cold: subscribing listens for the acknowledgement
 * and sends the SUBSCRIBE; it emits the SUBACK and completes. Unsubscribing sends nothing.
 * Refusals (codes >= 0x80) are not errors here: the caller reads `reasonCodes`.
 *
 * Errors: {@link ProtocolError} when another ack type answers the identifier or the SUBACK carries
 * a different number of codes than there were filters [MQTT-3.8.4-6] (3.1.1 [MQTT-3.8.4-5]);
 * whatever `send` throws; whatever the ack stream errors with.
 *
 * @example
 * ```ts
 * subscribeFlow({ type: 'subscribe', packetId: 3, subscriptions: [{ topicFilter: 'a/#', qos: 1 }] }, context)
 *   .subscribe((suback) => console.log(suback.reasonCodes));
 * ```
 */
export function subscribeFlow(packet: SubscribePacket, context: OutboundFlowContext): Observable<SubackPacket> {
  return requestFlow(packet, context, 'suback', packet.subscriptions.length);
}

/**
 * UNSUBSCRIBE then UNSUBACK (MQTT section 3.10/3.11). Cold like {@link subscribeFlow}; emits the
 * UNSUBACK (MQTT 5 reason codes in `reasonCodes`) and completes. Errors like {@link subscribeFlow}.
 *
 * @example
 * ```ts
 * unsubscribeFlow({ type: 'unsubscribe', packetId: 4, topicFilters: ['a/#'] }, context).subscribe();
 * ```
 */
export function unsubscribeFlow(packet: UnsubscribePacket, context: OutboundFlowContext): Observable<UnsubackPacket> {
  return requestFlow(packet, context, 'unsuback', context.protocolVersion === 5 ? packet.topicFilters.length : undefined);
}

function requestFlow<A extends SubackPacket | UnsubackPacket>(
  packet: SubscribePacket | UnsubscribePacket,
  context: OutboundFlowContext,
  expected: A['type'],
  codeCount: number | undefined,
): Observable<A> {
  return new Observable<A>((subscriber) => {
    context.acks.subscribe(
      createOperatorSubscriber<AckPacket>(subscriber, {
        next(ack) {
          if (ack.type !== expected) {
            subscriber.error(
              new ProtocolError(`expected ${expected.toUpperCase()} for packet ${packet.packetId}, received ${ack.type.toUpperCase()}`),
            );
            return;
          }
          const codes = (ack as A).reasonCodes;
          if (codeCount !== undefined && (codes === undefined || codes.length !== codeCount)) {
            subscriber.error(
              new ProtocolError(`${expected.toUpperCase()} carries ${codes?.length ?? 0} reason codes for ${codeCount} topic filters`, {
                specRef: expected === 'suback' ? 'MQTT-3.8.4-6' : 'MQTT-3.11.3-1',
              }),
            );
            return;
          }
          subscriber.next(ack as A);
          subscriber.complete();
        },
      }),
    );
    context.send(packet); // a throw (EncodeError) errors the subscriber and ends the ack subscription
  });
}
