import { EncodeError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import { binaryLength, checkInt, show, startPacket, stringLength, vbiLength } from '../byte-writer.js';
import type { ProtocolVersion, QoS } from '../packet.js';
import { propertiesLength, readProperties, writeProperties } from '../properties-codec.js';
import { K_CONNECT, K_WILL } from '../property-table.js';
import type { ConnectProperties, WillProperties } from '../properties.js';
import { topicNameProblem } from '../topic.js';

/** The will message carried by CONNECT. */
export interface Will {
  /** The topic the will is published to (no wildcards). */
  readonly topic: string;
  /** The will message's payload. */
  readonly payload: Uint8Array;
  /** The QoS the will is published with. */
  readonly qos: QoS;
  /** Whether the will is published as a retained message. */
  readonly retain: boolean;
  /** MQTT 5.0 only. */
  readonly properties?: WillProperties;
}

/** CONNECT (type 1): the first packet a client sends. */
export interface ConnectPacket {
  /** The packet's kind: CONNECT. */
  readonly type: 'connect';
  /** 4 = MQTT 3.1.1 (protocol name "MQTT", level 4), 5 = MQTT 5.0 (level 5). */
  readonly protocolVersion: 4 | 5;
  /** May be empty, in which case the server assigns one (MQTT 5) or requires cleanStart (3.1.1). */
  readonly clientId: string;
  /** "Clean Session" in 3.1.1, "Clean Start" in 5.0. */
  readonly cleanStart: boolean;
  /** Seconds, 0 to 65535; 0 turns keepalive off. */
  readonly keepAlive: number;
  /** The user name, when authenticating with one. */
  readonly username?: string;
  /** The password bytes (3.1.1: only together with a user name). */
  readonly password?: Uint8Array;
  /** The will message the server publishes if the connection ends without DISCONNECT. */
  readonly will?: Will;
  /** MQTT 5.0 only. */
  readonly properties?: ConnectProperties;
}

/** Encodes a CONNECT. The packet's own `protocolVersion` decides the version. */
export function encodeConnect(p: ConnectPacket, _version: ProtocolVersion, maximumPacketSize: number | undefined): Uint8Array {
  const version = p.protocolVersion;
  if (version !== 4 && version !== 5) {
    throw new EncodeError('ENCODE_INVALID_FIELD', `must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0), got ${show(version)}`, 'protocolVersion');
  }
  checkInt(p.keepAlive, 0, 65535, 'keepAlive');
  // protocol name (6) + level (1) + flags (1) + keep alive (2)
  let remaining = 10 + 2 + stringLength(p.clientId, 'clientId');
  let propsLength = 0;
  if (version === 5) {
    propsLength = propertiesLength(p.properties, K_CONNECT, 'properties');
    remaining += vbiLength(propsLength) + propsLength;
  }
  let flags = p.cleanStart ? 0x02 : 0;
  const will = p.will;
  let willPropsLength = 0;
  if (will !== undefined) {
    if (will === null || typeof will !== 'object') throw new EncodeError('ENCODE_INVALID_FIELD', `must be an object, got ${show(will)}`, 'will');
    const problem = topicNameProblem(will.topic);
    if (problem !== undefined) throw new EncodeError('ENCODE_INVALID_TOPIC', problem, 'will.topic');
    if (will.qos !== 0 && will.qos !== 1 && will.qos !== 2) {
      throw new EncodeError('ENCODE_INVALID_QOS', `must be 0, 1 or 2, got ${show(will.qos)}`, 'will.qos', {
        specRef: version === 5 ? 'MQTT-3.1.2-12' : 'MQTT-3.1.2-14',
      });
    }
    remaining += 4 + stringLength(will.topic, 'will.topic') + binaryLength(will.payload, 'will.payload');
    if (version === 5) {
      willPropsLength = propertiesLength(will.properties, K_WILL, 'will.properties');
      remaining += vbiLength(willPropsLength) + willPropsLength;
    }
    flags |= 0x04 | (will.qos << 3) | (will.retain ? 0x20 : 0);
  }
  if (p.username !== undefined) {
    remaining += 2 + stringLength(p.username, 'username');
    flags |= 0x80;
  }
  if (p.password !== undefined) {
    if (version === 4 && p.username === undefined) {
      throw new EncodeError('ENCODE_PASSWORD_WITHOUT_USERNAME', 'MQTT 3.1.1 does not allow a password without a username', 'password', {
        specRef: 'MQTT-3.1.2-22',
      });
    }
    remaining += 2 + binaryLength(p.password, 'password');
    flags |= 0x40;
  }
  const w = startPacket(0x10, remaining, maximumPacketSize, 'packet');
  w.utf8('MQTT', 4);
  w.u8(version);
  w.u8(flags);
  w.u16(p.keepAlive);
  if (version === 5) writeProperties(w, p.properties, propsLength);
  w.utf8(p.clientId, stringLength(p.clientId, 'clientId'));
  if (will !== undefined) {
    if (version === 5) writeProperties(w, will.properties, willPropsLength);
    w.utf8(will.topic, stringLength(will.topic, 'will.topic'));
    w.binary(will.payload);
  }
  if (p.username !== undefined) w.utf8(p.username, stringLength(p.username, 'username'));
  if (p.password !== undefined) w.binary(p.password);
  return w.buf;
}

/**
 * Decodes a CONNECT body. `expected` is the version the decoder was told to expect (undefined for a
 * server that adopts the CONNECT's version).
 */
export function decodeConnect(r: ByteReader, _flags: number, expected: ProtocolVersion | undefined): ConnectPacket {
  const nameAt = r.pos;
  const name = r.utf8('protocol name');
  if (name !== 'MQTT') {
    r.fail('DECODE_UNSUPPORTED_PROTOCOL_VERSION', `protocol name '${name}' is not 'MQTT'`, { specRef: 'MQTT-3.1.2-1', reasonCode: 0x84 }, nameAt);
  }
  const levelAt = r.pos;
  const level = r.u8('protocol level');
  if ((level !== 4 && level !== 5) || (expected !== undefined && level !== expected)) {
    r.fail('DECODE_UNSUPPORTED_PROTOCOL_VERSION', `protocol level ${level} is not ${expected ?? '4 or 5'}`, {
      specRef: 'MQTT-3.1.2-2',
      reasonCode: 0x84,
    }, levelAt);
  }
  const version: ProtocolVersion = level;
  r.version = version;
  const flagsAt = r.pos;
  const flags = r.u8('connect flags');
  if ((flags & 0x01) !== 0) r.fail('DECODE_RESERVED_FLAG', 'the reserved connect flag must be 0', { specRef: 'MQTT-3.1.2-3' }, flagsAt);
  const hasWill = (flags & 0x04) !== 0;
  const willQos = (flags >> 3) & 3;
  const willRetain = (flags & 0x20) !== 0;
  if (!hasWill && willQos !== 0) {
    r.fail('DECODE_INVALID_WILL_FLAGS', 'will QoS must be 0 when there is no will', { specRef: r.ref('MQTT-3.1.2-13', 'MQTT-3.1.2-11') }, flagsAt);
  }
  if (!hasWill && willRetain) {
    r.fail('DECODE_INVALID_WILL_FLAGS', 'will retain must be 0 when there is no will', { specRef: r.ref('MQTT-3.1.2-15', 'MQTT-3.1.2-13') }, flagsAt);
  }
  if (willQos === 3) r.fail('DECODE_INVALID_WILL_FLAGS', 'will QoS must not be 3', { specRef: r.ref('MQTT-3.1.2-14', 'MQTT-3.1.2-12') }, flagsAt);
  const hasUsername = (flags & 0x80) !== 0;
  const hasPassword = (flags & 0x40) !== 0;
  if (version === 4 && hasPassword && !hasUsername) {
    r.fail('DECODE_PASSWORD_WITHOUT_USERNAME', 'password flag set without the username flag', { specRef: 'MQTT-3.1.2-22' }, flagsAt);
  }
  const keepAlive = r.u16('keep alive');
  const properties = version === 5 ? (readProperties(r, K_CONNECT) as ConnectProperties | undefined) : undefined;
  const clientId = r.utf8('client identifier');
  let will: Will | undefined;
  if (hasWill) {
    const willProperties = version === 5 ? (readProperties(r, K_WILL) as WillProperties | undefined) : undefined;
    const topicAt = r.pos;
    const topic = r.utf8('will topic');
    const problem = topicNameProblem(topic);
    if (problem !== undefined) r.fail('DECODE_INVALID_TOPIC', `will topic ${problem}`, { reasonCode: 0x90 }, topicAt);
    const payload = r.binary('will payload');
    will = { topic, payload, qos: willQos as QoS, retain: willRetain, properties: willProperties };
  }
  const username = hasUsername ? r.utf8('username') : undefined;
  const password = hasPassword ? r.binary('password') : undefined;
  return { type: 'connect', protocolVersion: version, clientId, cleanStart: (flags & 0x02) !== 0, keepAlive, username, password, will, properties };
}
