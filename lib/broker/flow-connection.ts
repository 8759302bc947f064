import type { Packet } from '../codec/packet.js';
import type { BrokerCore } from './broker-core.js';

/**
 * What a packet flow (CONNECT, PUBLISH, SUBSCRIBE, ...) may see of and do with the connection it
 * handles a packet for. Read-only views and three actions; no field of the connection is written by
 * a flow. What a flow decides about the connection's own state (the outcome of CONNECT) it returns,
 * and the connection applies it.
 *
 * @example
 * ```ts
 * function handlePingreq(connection: FlowConnection): void {
 *   connection.send({ type: 'pingresp' });
 * }
 * ```
 */
export interface FlowConnection {
  readonly core: BrokerCore;
  readonly protocolVersion: 4 | 5;
  /** 'connecting' while CONNECT is handled; flows that waited for a hook check it is still 'connected'. */
  readonly state: 'new' | 'connecting' | 'connected' | 'closed';
  /** Set once CONNECT has been accepted. */
  readonly clientId: string | undefined;
  readonly username: string | undefined;
  /** Encodes and writes a packet; false when it exceeds the client's Maximum Packet Size (not sent). */
  send(packet: Packet): boolean;
  /** Closes from the broker's side (MQTT 5: DISCONNECT `reasonCode` first, once connected). */
  terminate(reasonCode: number, publishWill: boolean): void;
  /**
   * Stops reading the client's socket until `done` settles: the publisher is held back because a
   * session its message goes to is full. The connection's keep alive does not run meanwhile (the
   * client's PINGREQs wait unread in the network) and restarts from the resume.
   */
  holdReading(done: Promise<unknown>): void;
}
