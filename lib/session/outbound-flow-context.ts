import type { Observable } from 'rxjs';
import type { Packet, ProtocolVersion } from '../codec/packet.js';
import type { AckPacket } from './ack-router.js';

/** What an outbound acknowledgement flow needs: a way to send and the acks for its identifier. */
export interface OutboundFlowContext {
  /** Encodes and writes one packet; may throw (EncodeError, e.g. larger than the server accepts). */
  readonly send: (packet: Packet) => void;
  /** The acknowledgements carrying the flow's packet identifier (see AckRouter.acksFor). */
  readonly acks: Observable<AckPacket>;
  readonly protocolVersion: ProtocolVersion;
}
