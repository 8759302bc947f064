import { Observable } from 'rxjs';
import type { ConnackPacket, ConnectPacket, Packet } from '../codec/packet.js';
import { createOperatorSubscriber } from '../operators/operate.js';
import { ConnectionClosedError, ConnectRefusedError, ProtocolError } from '../errors.js';
import type { PacketChannel } from './packet-channel.js';

const RETURN_CODES_V4: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

const REASON_CODES_V5: Readonly<Record<number, string>> = {
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
  0x90: 'topic name invalid',
  0x95: 'packet too large',
  0x97: 'quota exceeded',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9f: 'connection rate exceeded',
};

/**
 * CONNECT then CONNACK (MQTT sections 3.1 and 3.2).
 *
 * Cold: subscribing listens on the channel and sends `connect`; it emits the accepting CONNACK and
 * completes. Unsubscribing sends nothing (the caller closes the channel).
 *
 * Errors: {@link ConnectRefusedError} with the return code (3.1.1: 1 to 5) or reason code (5.0:
 * >= 0x80) and the reason string; {@link ProtocolError} when the first packet is not CONNACK
 * [MQTT-3.2.0-1]; {@link ConnectionClosedError} when the connection ends first; the channel's
 * DecodeError or TransportError.
 *
 * @example
 * ```ts
 * connectHandshake(channel, { type: 'connect', protocolVersion: 4, clientId: 'a', cleanStart: true, keepAlive: 60 })
 *   .subscribe((connack) => console.log('session present:', connack.sessionPresent));
 * ```
 */
export function connectHandshake(channel: PacketChannel, connect: ConnectPacket): Observable<ConnackPacket> {
  return new Observable<ConnackPacket>((subscriber) => {
    channel.packets.subscribe(
      createOperatorSubscriber<Packet>(subscriber, {
        next(packet) {
          if (packet.type !== 'connack') {
            // [MQTT-3.2.0-1] the first packet from the server must be CONNACK.
            subscriber.error(new ProtocolError(`expected CONNACK, received ${packet.type.toUpperCase()}`, { specRef: 'MQTT-3.2.0-1' }));
            return;
          }
          const code = packet.reasonCode;
          const refused = connect.protocolVersion === 4 ? code !== 0 : code >= 0x80;
          if (refused) {
            const meaning = (connect.protocolVersion === 4 ? RETURN_CODES_V4 : REASON_CODES_V5)[code] ?? 'refused';
            subscriber.error(
              new ConnectRefusedError(code, `connection refused with code 0x${code.toString(16).padStart(2, '0')} (${meaning})`, {
                reasonString: packet.properties?.reasonString,
                serverReference: packet.properties?.serverReference,
              }),
            );
            return;
          }
          subscriber.next(packet);
          subscriber.complete();
        },
        complete: () => subscriber.error(new ConnectionClosedError('the connection closed before CONNACK arrived')),
      }),
    );
    channel.send(connect); // a throw (EncodeError) errors the subscriber
  });
}
