import { EncodeError } from '../errors.js';
import type { ByteReader } from './byte-reader.js';
import { show } from './byte-writer.js';

/**
 * MQTT 5.0 reason codes (section 2.4) with their names, and the codes each packet type may carry.
 */

/**
 * Names of the MQTT 5.0 reason codes. Code 0x00 has packet-dependent names (see {@link reasonCodeName}).
 *
 * @example
 * ```ts
 * REASON_CODE_NAMES[0x97]; // 'Quota exceeded'
 * ```
 */
export const REASON_CODE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Success',
  0x01: 'Granted QoS 1',
  0x02: 'Granted QoS 2',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

/**
 * The MQTT 3.1.1 CONNACK return codes.
 *
 * @example
 * ```ts
 * CONNECT_RETURN_CODE_NAMES[5]; // 'not authorized'
 * ```
 */
export const CONNECT_RETURN_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Connection Accepted',
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'Server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/**
 * The name of a reason code, taking the packet into account where the spec names 0x00 differently.
 *
 * @example
 * ```ts
 * reasonCodeName(0x87);               // 'Not authorized'
 * reasonCodeName(0x00, 'disconnect'); // 'Normal disconnection'
 * reasonCodeName(0x00, 'suback');     // 'Granted QoS 0'
 * ```
 */
export function reasonCodeName(code: number, packetType?: string): string {
  if (code === 0 && packetType === 'disconnect') return 'Normal disconnection';
  if (code === 0 && packetType === 'suback') return 'Granted QoS 0';
  return REASON_CODE_NAMES[code] ?? `Unknown reason code 0x${code.toString(16).padStart(2, '0')}`;
}

const set = (...codes: number[]): ReadonlySet<number> => new Set(codes);

/** MQTT 5.0 reason codes allowed in each packet type. */
export const REASON_CODES_BY_PACKET: Readonly<Record<string, ReadonlySet<number>>> = {
  connack: set(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f),
  puback: set(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99),
  pubrec: set(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99),
  pubrel: set(0x00, 0x92),
  pubcomp: set(0x00, 0x92),
  suback: set(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2),
  unsuback: set(0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91),
  disconnect: set(
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97,
    0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ),
  auth: set(0x00, 0x18, 0x19),
};

/** Statement ids requiring the sender to use one of the packet's reason codes. */
export const REASON_CODE_SPEC_REFS: Readonly<Record<string, string>> = {
  puback: 'MQTT-3.4.2-1',
  pubrec: 'MQTT-3.5.2-1',
  pubrel: 'MQTT-3.6.2-1',
  pubcomp: 'MQTT-3.7.2-1',
  disconnect: 'MQTT-3.14.2-1',
  auth: 'MQTT-3.15.2-1',
};

/**
 * True when `code` is a valid MQTT 5.0 reason code for packets of `packetType`.
 *
 * @example
 * ```ts
 * isValidReasonCode('puback', 0x10); // true (No matching subscribers)
 * isValidReasonCode('pubrel', 0x10); // false
 * ```
 */
export function isValidReasonCode(packetType: string, code: number): boolean {
  const allowed = REASON_CODES_BY_PACKET[packetType];
  return allowed !== undefined && allowed.has(code);
}

/**
 * Checks a reason code a packet object carries before encoding (MQTT 5.0), throwing EncodeError on
 * `reasonCode` when the packet type does not allow it.
 */
export function checkReasonCode(packetType: string, code: unknown, field = 'reasonCode'): number {
  if (typeof code !== 'number' || !isValidReasonCode(packetType, code)) {
    throw new EncodeError(
      'ENCODE_INVALID_REASON_CODE',
      `${show(code)} is not a reason code a ${packetType.toUpperCase()} can carry`,
      field,
      { specRef: REASON_CODE_SPEC_REFS[packetType] },
    );
  }
  return code;
}

/** Reads an MQTT 5.0 reason code and checks that the packet type allows it (protocol error 0x82 otherwise). */
export function readReasonCode(r: ByteReader, packetType: string): number {
  const at = r.pos;
  const code = r.u8('reason code');
  if (!isValidReasonCode(packetType, code)) {
    r.fail('DECODE_INVALID_REASON_CODE', `0x${code.toString(16).padStart(2, '0')} is not a ${packetType.toUpperCase()} reason code`, {
      specRef: REASON_CODE_SPEC_REFS[packetType],
      reasonCode: 0x82,
    }, at);
  }
  return code;
}
