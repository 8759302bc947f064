import type { ServerAuthExchange, ServerAuthMethod, ServerAuthRequest, ServerAuthStep } from '../auth/authentication.js';
import type { AuthPacket, ConnackPacket } from '../codec/packet.js';
import { isValidReasonCode } from '../codec/reason-codes.js';
import { ProtocolError } from '../errors.js';
import type { ConnectOutcome, ConnectRefused } from './connect-flow.js';
import type { FlowConnection } from './flow-connection.js';

// MQTT 5 enhanced authentication on the broker (section 4.12): the exchange between CONNECT and
// CONNACK, and re-authentication (AUTH 0x19) on a connected client. The flows send AUTH packets
// and return what the connection keeps (the exchange still waiting for the client's next AUTH).

/** The CONNECT's exchange asks the client for more: AUTH 0x18 `data` goes out; `next` takes the client's answer. */
export interface ConnectChallenge {
  readonly kind: 'challenge';
  /** The Authentication Method of the CONNECT. */
  readonly method: string;
  /** The Authentication Data of the AUTH 0x18 to send. */
  readonly data: Uint8Array;
  /** Handles the client's next AUTH packet. */
  readonly next: (packet: AuthPacket) => Promise<ConnectOutcome | undefined>;
}

const refuse = (reasonCode: number): ConnectRefused => ({ kind: 'refused', reasonCode });

/** The hook for `method`, own properties only (no `toString` from the prototype). */
function methodFor(connection: FlowConnection, method: string): ServerAuthMethod | undefined {
  const methods = connection.core.options.enhancedAuth;
  return methods !== undefined && Object.prototype.hasOwnProperty.call(methods, method) ? methods[method] : undefined;
}

/** Runs one step; a hook that throws or answers nonsense refuses as "not authorized". */
async function runStep(exchange: ServerAuthExchange, data: Uint8Array | undefined): Promise<ServerAuthStep> {
  try {
    const step = await exchange(data);
    if (step?.kind === 'continue' && step.data instanceof Uint8Array) return step;
    if (step?.kind === 'success' && (step.data === undefined || step.data instanceof Uint8Array)) return step;
    if (step?.kind === 'failure') return step;
    return { kind: 'failure' };
  } catch {
    return { kind: 'failure' };
  }
}

/** A failure's reason code when it is a valid CONNACK / DISCONNECT failure code, else 0x87 Not authorized. */
function failureCode(step: ServerAuthStep, packet: 'connack' | 'disconnect'): number {
  const code = step.kind === 'failure' ? step.reasonCode : undefined;
  return code !== undefined && code >= 0x80 && isValidReasonCode(packet, code) ? code : 0x87;
}

/**
 * The CONNECT of an MQTT 5 client with an Authentication Method: runs the broker's `enhancedAuth`
 * hook for that method, step by step, until it accepts (`complete()` builds the accepted outcome,
 * whose CONNACK gets the method and the final data [MQTT-4.12.0-5]) or refuses (CONNACK 0x87, or
 * the hook's code). An unknown method is refused with 0x8C Bad authentication method
 * [MQTT-4.12.0-1]. The `authenticate` hook is not called for such a CONNECT.
 */
export function enhancedConnect(
  connection: FlowConnection,
  method: string,
  request: ServerAuthRequest,
  data: Uint8Array | undefined,
  complete: () => ConnectOutcome,
): ConnectOutcome | Promise<ConnectOutcome | undefined> {
  const handler = methodFor(connection, method);
  // [MQTT-4.12.0-1] a method the server does not support: CONNACK 0x8C, then close.
  if (handler === undefined) return refuse(0x8c);
  let exchange: ServerAuthExchange;
  try {
    exchange = handler(request);
  } catch {
    return refuse(0x87);
  }
  return step(connection, method, exchange, data, complete);
}

async function step(
  connection: FlowConnection,
  method: string,
  exchange: ServerAuthExchange,
  data: Uint8Array | undefined,
  complete: () => ConnectOutcome,
): Promise<ConnectOutcome | undefined> {
  const verdict = await runStep(exchange, data);
  if (connection.state !== 'connecting') return undefined; // the client left meanwhile
  if (verdict.kind === 'continue') {
    return {
      kind: 'challenge',
      method,
      data: verdict.data,
      next: async (packet) => {
        // The client answers a challenge with AUTH 0x18 [MQTT-4.12.0-3] and the CONNECT's method
        // [MQTT-4.12.0-5]; anything else is a protocol error (CONNACK 0x82, then close).
        if ((packet.reasonCode ?? 0) !== 0x18 || packet.properties?.authenticationMethod !== method) return refuse(0x82);
        return step(connection, method, exchange, packet.properties?.authenticationData, complete);
      },
    };
  }
  // The server may refuse at any point: CONNACK >= 0x80, then close [MQTT-4.12.0-4].
  if (verdict.kind === 'failure') return refuse(failureCode(verdict, 'connack'));
  const outcome = complete();
  if (outcome.kind !== 'accepted') return outcome;
  return { ...outcome, authenticationMethod: method, connack: withAuthentication(outcome.connack, method, verdict.data) };
}

function withAuthentication(connack: ConnackPacket, method: string, data: Uint8Array | undefined): ConnackPacket {
  return { ...connack, properties: { ...connack.properties, authenticationMethod: method, ...(data === undefined ? {} : { authenticationData: data }) } };
}

/**
 * An AUTH from a connected client (section 4.12.1). `method` is the Authentication Method the
 * connection was authenticated with (undefined: none), `running` the re-authentication waiting for
 * the client's next AUTH 0x18. Sends AUTH 0x18 (continue) or AUTH 0x00 (success, with the final
 * data); on failure the connection is closed with DISCONNECT 0x87 (or the hook's code)
 * [MQTT-4.12.1-2]. Resolves to the exchange still running, undefined when over. Throws
 * ProtocolError for an AUTH that is not allowed (the connection closes with it).
 */
export async function handleReauth(
  connection: FlowConnection,
  method: string | undefined,
  running: ServerAuthExchange | undefined,
  packet: AuthPacket,
): Promise<ServerAuthExchange | undefined> {
  // Without an Authentication Method in CONNECT the client must not send AUTH [MQTT-4.12.0-7].
  if (method === undefined) throw new ProtocolError('AUTH on a connection without enhanced authentication', { specRef: 'MQTT-4.12.0-7' });
  // Re-authentication uses the method of the CONNECT [MQTT-4.12.1-1].
  if (packet.properties?.authenticationMethod !== method) {
    throw new ProtocolError('AUTH with another Authentication Method than CONNECT\'s', { specRef: 'MQTT-4.12.1-1' });
  }
  const code = packet.reasonCode ?? 0;
  let exchange = running;
  if (code === 0x19 && running === undefined) {
    const handler = methodFor(connection, method);
    try {
      exchange = handler?.({ clientId: connection.clientId ?? '', username: connection.username, reauthenticate: true });
    } catch {
      exchange = undefined;
    }
    if (exchange === undefined) {
      connection.terminate(0x87, true);
      return undefined;
    }
  } else if (code !== 0x18 || running === undefined) {
    // A client sends 0x19 to start and 0x18 to continue, never 0x00 [MQTT-3.15.2-1].
    throw new ProtocolError(`AUTH 0x${code.toString(16).padStart(2, '0')} out of place`, { specRef: 'MQTT-3.15.2-1' });
  }
  const current = exchange as ServerAuthExchange; // started above, or the running one
  const verdict = await runStep(current, packet.properties?.authenticationData);
  if (connection.state !== 'connected') return undefined;
  if (verdict.kind === 'continue') {
    connection.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: method, authenticationData: verdict.data } });
    return current;
  }
  if (verdict.kind === 'success') {
    connection.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: method, ...(verdict.data === undefined ? {} : { authenticationData: verdict.data }) } });
    return undefined;
  }
  // A failed re-authentication ends the connection: DISCONNECT, then close [MQTT-4.12.1-2].
  connection.terminate(failureCode(verdict, 'disconnect'), true);
  return undefined;
}
