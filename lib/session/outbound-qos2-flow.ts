import { Observable } from 'rxjs';
import type { PubcompPacket, PublishPacket, PubrelPacket } from '../codec/packet.js';
import { ProtocolError, PublishFailedError } from '../errors.js';
import type { OutboundState } from './in-flight-store.js';
import type { OutboundFlowContext } from './outbound-flow-context.js';
import type { AckPacket } from './ack-router.js';
import { createOperatorSubscriber } from '../operators/operate.js';

/** Options of {@link outboundQos2Flow}. */
export interface OutboundQos2Options {
  /** Where to start: `publish` (default) sends the PUBLISH; `pubrel` resumes by sending PUBREL. */
  readonly from?: OutboundState;
  /**
   * Called when an accepting PUBREC arrives, before PUBREL is sent (to record the new state). A throw
   * (a StoreError) errors the flow with it and no PUBREL is sent.
   */
  readonly onReleased?: (packetId: number) => void;
}

/**
 * The sender's side of a QoS 2 PUBLISH (MQTT section 4.3.3): PUBLISH, PUBREC, PUBREL, PUBCOMP.
 *
 * Cold: subscribing listens for the acknowledgements and sends the PUBLISH (or the PUBREL when
 * resuming, `from: 'pubrel'`). On a PUBREC below 0x80 it sends PUBREL [MQTT-4.3.3-1] (3.1.1)
 * [MQTT-4.3.3-4] (5.0); a repeated PUBREC is answered with PUBREL again. It emits the PUBCOMP and
 * completes. Unsubscribing sends nothing.
 *
 * Errors: {@link PublishFailedError} when PUBREC (the flow ends there and no PUBREL is sent) or
 * PUBCOMP carries a reason code >= 0x80 (except 0x92 on a flow resumed `from: 'pubrel'`, which
 * completes it: the receiver had already released the message), with its reason string; {@link ProtocolError} for a
 * PUBACK, or a PUBCOMP before PUBREC; whatever `send` or `onReleased` throws; whatever the ack
 * stream errors with.
 *
 * @example
 * ```ts
 * outboundQos2Flow({ ...packet, qos: 2, packetId: 9 }, { send, acks: router.acksFor(9), protocolVersion: 5 })
 *   .subscribe({ complete: () => console.log('delivered exactly once') });
 * ```
 */
export function outboundQos2Flow(
  publish: PublishPacket,
  context: OutboundFlowContext,
  options: OutboundQos2Options = {},
): Observable<PubcompPacket> {
  return new Observable<PubcompPacket>((subscriber) => {
    const packetId = publish.packetId ?? 0;
    const pubrel: PubrelPacket = { type: 'pubrel', packetId };
    let state: OutboundState = options.from ?? 'publish';
    const resumed = state === 'pubrel';
    // A throw in here (onReleased's store write, send's EncodeError) errors the flow: no PUBREL goes
    // out for a PUBREC whose new state could not be recorded.
    context.acks.subscribe(
      createOperatorSubscriber<AckPacket>(subscriber, {
        next(ack) {
          const code = ack.type === 'suback' || ack.type === 'unsuback' ? 0 : (ack.reasonCode ?? 0);
          const reasonString = ack.properties?.reasonString;
          if (ack.type === 'pubrec') {
            if (code >= 0x80) {
              subscriber.error(new PublishFailedError(publish.topic, code, { reasonString }));
              return;
            }
            if (state === 'publish') {
              options.onReleased?.(packetId);
              state = 'pubrel';
            }
            context.send(pubrel); // [MQTT-4.3.3-4]; also the answer to a repeated PUBREC
            return;
          }
          if (ack.type === 'pubcomp' && state === 'pubrel') {
            // 0x92 (Packet Identifier not found) answering a PUBREL resent on a resumed session means
            // the receiver had already completed the flow before the connection was lost: "not an
            // error during recovery" (MQTT 5.0, 3.7.2.1). Outside recovery it is a failure.
            if (code >= 0x80 && !(code === 0x92 && resumed)) {
              subscriber.error(new PublishFailedError(publish.topic, code, { reasonString }));
              return;
            }
            subscriber.next(ack);
            subscriber.complete();
            return;
          }
          subscriber.error(new ProtocolError(`unexpected ${ack.type.toUpperCase()} for QoS 2 packet ${packetId} in state ${state}`));
        },
      }),
    );
    context.send(state === 'publish' ? publish : pubrel);
  });
}
