import type { Observable } from 'rxjs';
import type { Packet, ProtocolVersion, PublishPacket } from '../codec/packet.js';
import type { AckRouter } from './ack-router.js';
import type { InFlightStore } from './in-flight-store.js';
import { outboundQos1Flow } from './outbound-qos1-flow.js';
import { outboundQos2Flow } from './outbound-qos2-flow.js';
import type { PublishJob } from './publish-job.js';

/** What {@link storedOutboundFlow} runs on: the connection's writer and acks, and the store. */
export interface StoredFlowContext {
  readonly send: (packet: Packet) => boolean | void;
  readonly acks: AckRouter;
  readonly protocolVersion: ProtocolVersion;
  readonly store: InFlightStore;
}

/**
 * The acknowledgement flow of one started QoS 1/2 publish (its PUBLISH already stored), with the
 * state change a QoS 2 flow records in the store before its PUBREL goes out: {@link outboundQos1Flow}
 * or {@link outboundQos2Flow} from the job's state. Cold; completes on PUBACK/PUBCOMP. A store that
 * cannot record the PUBREC marks the job `unrecorded` and errors the flow with the StoreError (no
 * PUBREL is sent). Errors as the flows do (ConnectionClosedError when the connection is lost).
 *
 * @example
 * ```ts
 * storedOutboundFlow(job, { ...packet, packetId: 7 }, 7, { send, acks, protocolVersion: 5, store }).subscribe();
 * ```
 */
export function storedOutboundFlow(job: PublishJob, packet: PublishPacket, packetId: number, context: StoredFlowContext): Observable<unknown> {
  const { store, protocolVersion } = context;
  const flowContext = { send: context.send, acks: context.acks.acksFor(packetId), protocolVersion };
  if (packet.qos === 1) return outboundQos1Flow(packet, flowContext);
  const onReleased = (): void => {
    try {
      store.putOutbound({ packet, state: 'pubrel' }); // before PUBREL is sent
    } catch (error) {
      job.unrecorded = true; // the flow errors with it, no PUBREL goes out
      throw error;
    }
    job.state = 'pubrel';
  };
  return outboundQos2Flow(packet, flowContext, { from: job.state, onReleased });
}
