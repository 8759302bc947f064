import { Observable } from 'rxjs';
import type { PubackPacket, PublishPacket } from '../codec/packet.js';
import type { AckPacket } from './ack-router.js';
import { ProtocolError, PublishFailedError } from '../errors.js';
import type { OutboundFlowContext } from './outbound-flow-context.js';
import { createOperatorSubscriber } from '../operators/operate.js';

/**
 * The sender's side of a QoS 1 PUBLISH (MQTT section 4.3.2): PUBLISH, then PUBACK.
 *
 * Cold: subscribing starts listening for the acknowledgement and then sends the PUBLISH (which must
 * carry its packet identifier). It emits the PUBACK and completes. Unsubscribing sends nothing; the
 * caller decides what an abandoned flow means (the client keeps waiting for the PUBACK).
 *
 * Errors: {@link PublishFailedError} when the PUBACK carries a reason code >= 0x80 (MQTT 5), with its
 * reason string; {@link ProtocolError} when a PUBREC or PUBCOMP answers a QoS 1 identifier; whatever
 * `send` throws (e.g. EncodeError); whatever the ack stream errors with (connection lost).
 *
 * @example
 * ```ts
 * outboundQos1Flow({ ...packet, packetId: 1 }, { send, acks: router.acksFor(1), protocolVersion: 5 })
 *   .subscribe({ complete: () => console.log('acknowledged') });
 * ```
 */
export function outboundQos1Flow(publish: PublishPacket, context: OutboundFlowContext): Observable<PubackPacket> {
  return new Observable<PubackPacket>((subscriber) => {
    context.acks.subscribe(
      createOperatorSubscriber<AckPacket>(subscriber, {
        next(ack) {
          if (ack.type !== 'puback') {
            subscriber.error(new ProtocolError(`expected PUBACK for packet ${publish.packetId}, received ${ack.type.toUpperCase()}`));
            return;
          }
          const code = ack.reasonCode ?? 0;
          if (code >= 0x80) {
            subscriber.error(new PublishFailedError(publish.topic, code, { reasonString: ack.properties?.reasonString }));
            return;
          }
          subscriber.next(ack);
          subscriber.complete();
        },
      }),
    );
    context.send(publish); // a throw (EncodeError) errors the subscriber and ends the ack subscription
  });
}
