import { Observable } from 'rxjs';
import type { ClientAuthentication } from '../auth/authentication.js';
import type { ConnackPacket, ConnectPacket, Packet } from '../codec/packet.js';
import { createOperatorSubscriber } from '../operators/operate.js';
import { ConnectionClosedError, ConnectRefusedError, MqttError, ProtocolError } from '../errors.js';
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
 * With `authentication` (MQTT 5 enhanced authentication, section 4.12), the CONNECT carries its
 * method and a fresh read of its data, and AUTH 0x18 packets are answered until CONNACK (see
 * {@link authenticatingHandshake}).
 *
 * Errors: {@link ConnectRefusedError} with the return code (3.1.1: 1 to 5) or reason code (5.0:
 * >= 0x80) and the reason string; {@link ProtocolError} when the first packet is not CONNACK
 * [MQTT-3.2.0-1]; {@link ConnectionClosedError} when the connection ends first; the channel's
 * DecodeError or TransportError; with `authentication`, `MqttError` code `AUTH_FAILED`.
 *
 * @example
 * ```ts
 * connectHandshake(channel, { type: 'connect', protocolVersion: 4, clientId: 'a', cleanStart: true, keepAlive: 60 })
 *   .subscribe((connack) => console.log('session present:', connack.sessionPresent));
 * ```
 */
export function connectHandshake(channel: PacketChannel, connect: ConnectPacket, authentication?: ClientAuthentication): Observable<ConnackPacket> {
  if (authentication !== undefined && connect.protocolVersion === 5) return authenticatingHandshake(channel, connect, authentication);
  return new Observable<ConnackPacket>((subscriber) => {
    channel.packets.subscribe(
      createOperatorSubscriber<Packet>(subscriber, {
        next(packet) {
          if (packet.type === 'auth') {
            // No Authentication Method in CONNECT: the server must not send AUTH [MQTT-4.12.0-6].
            channel.send({ type: 'disconnect', reasonCode: 0x82 });
            subscriber.error(new ProtocolError('AUTH from a server that was not asked for enhanced authentication', { specRef: 'MQTT-4.12.0-6' }));
            return;
          }
          if (packet.type !== 'connack') {
            // [MQTT-3.2.0-1] the first packet from the server must be CONNACK.
            subscriber.error(new ProtocolError(`expected CONNACK, received ${packet.type.toUpperCase()}`, { specRef: 'MQTT-3.2.0-1' }));
            return;
          }
          const refusal = refusalOf(packet, connect.protocolVersion);
          if (refusal !== undefined) {
            subscriber.error(refusal);
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

/** The ConnectRefusedError a CONNACK means, or undefined when it accepts. */
export function refusalOf(packet: ConnackPacket, protocolVersion: 4 | 5): ConnectRefusedError | undefined {
  const code = packet.reasonCode;
  const refused = protocolVersion === 4 ? code !== 0 : code >= 0x80;
  if (!refused) return undefined;
  const meaning = (protocolVersion === 4 ? RETURN_CODES_V4 : REASON_CODES_V5)[code] ?? 'refused';
  return new ConnectRefusedError(code, `connection refused with code 0x${code.toString(16).padStart(2, '0')} (${meaning})`, {
    reasonString: packet.properties?.reasonString,
    serverReference: packet.properties?.serverReference,
  });
}

/** AUTH-exchange failures: an `onChallenge` that threw, or a server that is not the one it claims. */
export function authFailed(cause: unknown): MqttError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new MqttError('AUTH_FAILED', `enhanced authentication failed: ${why}`, { cause });
}

/**
 * {@link connectHandshake} with MQTT 5 enhanced authentication (section 4.12): CONNECT carries the
 * Authentication Method and a fresh read of `authentication.data`; each AUTH 0x18 from the server
 * is answered, one at a time and in order, by an AUTH 0x18 with `onChallenge`'s data; the accepting
 * CONNACK's Authentication Data goes to `onChallenge` with reason code 0x00 before the CONNACK is
 * emitted. An `onChallenge` that throws sends DISCONNECT 0x80 (the client may close at any point,
 * section 4.12) and errors with `AUTH_FAILED`.
 */
function authenticatingHandshake(channel: PacketChannel, connect: ConnectPacket, authentication: ClientAuthentication): Observable<ConnackPacket> {
  return new Observable<ConnackPacket>((subscriber) => {
    const method = authentication.method;
    // Challenges are answered in order, even when onChallenge is async.
    let chain: Promise<unknown> = Promise.resolve();
    const abort = (error: MqttError, reasonCode: number): void => {
      if (subscriber.closed) return;
      try {
        channel.send({ type: 'disconnect', reasonCode });
      } catch {
        // Closing regardless.
      }
      subscriber.error(error);
    };
    const challenge = async (data: Uint8Array | undefined, reasonCode: number): Promise<Uint8Array | void> => {
      try {
        return await authentication.onChallenge?.(data, reasonCode);
      } catch (error) {
        throw authFailed(error);
      }
    };
    const run = (step: () => Promise<void>): void => {
      chain = chain.then(step).catch((error: unknown) => abort(error instanceof MqttError ? error : authFailed(error), error instanceof ProtocolError ? error.reasonCode : 0x80));
    };
    channel.packets.subscribe(
      createOperatorSubscriber<Packet>(subscriber, {
        next(packet) {
          if (packet.type === 'auth') {
            run(async () => {
              // The server may only ask to continue here [MQTT-4.12.0-2], with the CONNECT's method [MQTT-4.12.0-5].
              if (packet.reasonCode !== 0x18) throw new ProtocolError(`AUTH 0x${(packet.reasonCode ?? 0).toString(16)} before CONNACK`, { specRef: 'MQTT-4.12.0-2' });
              if (packet.properties?.authenticationMethod !== method) throw new ProtocolError('AUTH with another Authentication Method', { specRef: 'MQTT-4.12.0-5' });
              const answer = await challenge(packet.properties?.authenticationData, 0x18);
              if (subscriber.closed) return;
              // The client answers with AUTH 0x18 [MQTT-4.12.0-3] and the same method [MQTT-4.12.0-5].
              channel.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: method, ...(answer ? { authenticationData: answer } : {}) } });
            });
            return;
          }
          if (packet.type !== 'connack') {
            run(async () => {
              throw new ProtocolError(`expected CONNACK, received ${packet.type.toUpperCase()}`, { specRef: 'MQTT-3.2.0-1' });
            });
            return;
          }
          run(async () => {
            const refusal = refusalOf(packet, 5);
            // The server may refuse at any point [MQTT-4.12.0-4]; the connection then closes.
            if (refusal !== undefined) return subscriber.error(refusal);
            // A successful CONNACK names the CONNECT's method [MQTT-4.12.0-5].
            if (packet.properties?.authenticationMethod !== method) throw new ProtocolError('CONNACK without the Authentication Method of CONNECT', { specRef: 'MQTT-4.12.0-5' });
            await challenge(packet.properties?.authenticationData, 0x00);
            if (subscriber.closed) return;
            subscriber.next(packet);
            subscriber.complete();
          });
        },
        complete: () => run(async () => subscriber.error(new ConnectionClosedError('the connection closed before CONNACK arrived'))),
      }),
    );
    const properties = { ...connect.properties, authenticationMethod: method };
    const data = authentication.data; // read once per attempt: a getter may start a fresh exchange
    channel.send({ ...connect, properties: data === undefined ? withoutData(properties) : { ...properties, authenticationData: data } });
  });
}

function withoutData<P extends { authenticationData?: Uint8Array }>(properties: P): P {
  const { authenticationData, ...rest } = properties;
  void authenticationData;
  return rest as P;
}
