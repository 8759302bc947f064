import type { ConnectPacket } from '../codec/packet.js';
import { MAX_PACKET_SIZE } from '../codec/decoder.js';
import { InvalidArgumentError } from '../errors.js';
import { assertTopicName } from '../session/validate-topic.js';
import { assertQoS, inboundReceiveMaximum, incomingMaximumPacketSize, toPayload, type ClientOptions } from './client-options.js';

function randomClientId(): string {
  const bytes = new Uint8Array(6);
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return 'rxmqtt_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function assertOptional(value: unknown, type: string, argument: string): void {
  if (value !== undefined && typeof value !== type) {
    throw new InvalidArgumentError(argument, `expected a ${type}, got ${typeName(value)}`);
  }
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

function assertPositive(value: unknown, argument: string): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0)) {
    throw new InvalidArgumentError(argument, `must be a positive number of milliseconds, got ${String(value)}`);
  }
}

function assertInteger(value: unknown, min: number, max: number, argument: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new InvalidArgumentError(argument, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/**
 * Validates `options` and builds the CONNECT packet. Throws InvalidArgumentError naming the option.
 *
 * @example
 * ```ts
 * const connect = buildConnectPacket({ protocolVersion: 5, keepalive: 30 }); // empty clientId: the server assigns one
 * ```
 */
export function buildConnectPacket(options: ClientOptions): ConnectPacket {
  const protocolVersion = options.protocolVersion ?? 4;
  if (protocolVersion !== 4 && protocolVersion !== 5) {
    throw new InvalidArgumentError('protocolVersion', `must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0), got ${String(protocolVersion)}`);
  }
  assertOptional(options.clientId, 'string', 'clientId');
  assertOptional(options.clean, 'boolean', 'clean');
  assertInteger(options.keepalive, 0, 65535, 'keepalive');
  assertOptional(options.username, 'string', 'username');
  if (options.trace !== undefined && typeof options.trace !== 'function') throw new InvalidArgumentError('trace', 'expected a function (event) => void');
  assertPositive(options.pingTimeout, 'pingTimeout');
  assertPositive(options.connectTimeout, 'connectTimeout');
  const password = options.password === undefined ? undefined : toPayload(options.password, 'password');
  if (protocolVersion === 4 && password !== undefined && options.username === undefined) {
    // [MQTT-3.1.2-22] in 3.1.1 a password needs a user name.
    throw new InvalidArgumentError('password', 'MQTT 3.1.1 allows a password only together with a username', {
      specRef: 'MQTT-3.1.2-22',
    });
  }
  if (options.properties !== undefined && (options.properties === null || typeof options.properties !== 'object')) {
    throw new InvalidArgumentError('properties', 'expected an object of MQTT 5 CONNECT properties');
  }
  if (options.properties !== undefined && protocolVersion !== 5) {
    throw new InvalidArgumentError('properties', 'CONNECT properties need protocolVersion 5');
  }
  const topicAliasMaximum = options.properties?.topicAliasMaximum;
  assertInteger(topicAliasMaximum, 0, 65535, 'properties.topicAliasMaximum');
  assertInteger(options.maximumPacketSize, 2, MAX_PACKET_SIZE, 'maximumPacketSize');
  const announced = options.properties?.maximumPacketSize;
  if (announced !== undefined && options.maximumPacketSize !== undefined && announced !== options.maximumPacketSize) {
    throw new InvalidArgumentError('maximumPacketSize', `differs from properties.maximumPacketSize (${String(announced)}); give one of them`);
  }
  const maximumPacketSize = incomingMaximumPacketSize(options);
  assertInteger(options.receiveMaximum, 1, 65535, 'receiveMaximum');
  const announcedWindow = options.properties?.receiveMaximum;
  if (announcedWindow !== undefined && options.receiveMaximum !== undefined && announcedWindow !== options.receiveMaximum) {
    throw new InvalidArgumentError('receiveMaximum', `differs from properties.receiveMaximum (${String(announcedWindow)}); give one of them`);
  }
  assertOptional(options.strictReceiveMaximum, 'boolean', 'strictReceiveMaximum');
  assertInteger(options.maxInFlight, 1, 65535, 'maxInFlight');
  if (options.maxResends !== undefined && options.maxResends !== Infinity) assertInteger(options.maxResends, 0, Number.MAX_SAFE_INTEGER, 'maxResends');
  assertOptional(options.topicAliases, 'boolean', 'topicAliases');
  if (options.aboveMaximumQoS !== undefined && options.aboveMaximumQoS !== 'refuse' && options.aboveMaximumQoS !== 'downgrade') {
    throw new InvalidArgumentError('aboveMaximumQoS', `expected 'refuse' or 'downgrade', got ${typeof options.aboveMaximumQoS === 'string' ? JSON.stringify(options.aboveMaximumQoS) : typeName(options.aboveMaximumQoS)}`);
  }
  const wakeups = options.wakeups as unknown;
  if (wakeups !== undefined && wakeups !== false && !(typeof wakeups === 'object' && wakeups !== null && typeof (wakeups as { subscribe?: unknown }).subscribe === 'function')) {
    throw new InvalidArgumentError('wakeups', `expected an Observable or false, got ${typeName(wakeups)}`);
  }
  if (options.strictReceiveMaximum === true && protocolVersion !== 5) {
    throw new InvalidArgumentError('strictReceiveMaximum', 'is an MQTT 5 feature (3.1.1 has no Receive Maximum): connect with protocolVersion 5');
  }
  const receiveMaximum = inboundReceiveMaximum(options);
  const authentication = authenticationProperties(options, protocolVersion);
  let will: ConnectPacket['will'];
  if (options.will !== undefined) {
    const w = options.will;
    if (w === null || typeof w !== 'object') {
      throw new InvalidArgumentError('will', 'expected { topic, payload, qos?, retain?, properties? }');
    }
    assertTopicName(w.topic, 'will.topic');
    const qos = w.qos ?? 0;
    assertQoS(qos, 'will.qos');
    assertOptional(w.retain, 'boolean', 'will.retain');
    if (w.properties !== undefined && protocolVersion !== 5) {
      throw new InvalidArgumentError('will.properties', 'will properties need protocolVersion 5');
    }
    const payload = toPayload(w.payload, 'will.payload');
    will = { topic: w.topic, payload, qos, retain: w.retain ?? false, properties: w.properties };
  }
  return {
    type: 'connect',
    protocolVersion,
    // MQTT 5 servers assign an identifier to an empty one [MQTT-3.1.3-6]; 3.1.1 servers may refuse an
    // empty one (always with clean session off [MQTT-3.1.3-8]), so 3.1.1 gets a generated one.
    clientId: options.clientId || (protocolVersion === 5 ? '' : randomClientId()),
    cleanStart: options.clean ?? true,
    keepAlive: options.keepalive ?? 60,
    username: options.username,
    password,
    will,
    // MQTT 5: announce the limit we enforce, so the server does not send larger packets [MQTT-3.1.2-24].
    // The inbound window too, so a compliant server does not send past it [MQTT-3.3.4-9].
    properties:
      protocolVersion === 5
        ? { ...options.properties, maximumPacketSize, ...(receiveMaximum === undefined ? {} : { receiveMaximum }), ...authentication }
        : undefined,
  };
}

/** Validates the `authentication` option: the CONNECT's Authentication Method and Data (MQTT 5 only). */
function authenticationProperties(options: ClientOptions, protocolVersion: 4 | 5): { authenticationMethod?: string; authenticationData?: Uint8Array } {
  const auth = options.authentication;
  if (auth === undefined) return {};
  if (protocolVersion !== 5) throw new InvalidArgumentError('authentication', 'enhanced authentication is an MQTT 5 feature: connect with protocolVersion 5');
  if (auth === null || typeof auth !== 'object') throw new InvalidArgumentError('authentication', 'expected { method, data?, onChallenge? }');
  if (typeof auth.method !== 'string' || auth.method === '') throw new InvalidArgumentError('authentication.method', 'expected a non-empty string');
  if (auth.onChallenge !== undefined && typeof auth.onChallenge !== 'function') {
    throw new InvalidArgumentError('authentication.onChallenge', 'expected a function (data, reasonCode) => data | Promise<data>');
  }
  if (options.properties?.authenticationMethod !== undefined || options.properties?.authenticationData !== undefined) {
    throw new InvalidArgumentError('properties.authenticationMethod', 'give the authentication option or these properties, not both');
  }
  const data = auth.data;
  if (data !== undefined && !(data instanceof Uint8Array)) throw new InvalidArgumentError('authentication.data', 'expected a Uint8Array');
  return { authenticationMethod: auth.method, ...(data === undefined ? {} : { authenticationData: data }) };
}
