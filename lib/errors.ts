/**
 * Typed errors raised by rxmqtt.
 *
 * Every error is an instance of {@link MqttError} with a stable `code` string that programs can
 * switch on, an optional `cause`, and, where the check enforces a statement of the MQTT
 * specification, the statement id in `specRef` (for example `MQTT-3.3.2-2`).
 *
 * This module is a leaf: it imports nothing and is imported by every layer.
 *
 * @example
 * ```ts
 * try { encode(packet, { protocolVersion: 5 }); }
 * catch (e) { if (e instanceof EncodeError) console.log(e.code, e.field, e.specRef); }
 * ```
 */

/** Options shared by every rxmqtt error constructor. */
export interface MqttErrorOptions {
  /** The statement of the MQTT specification that the failed check enforces, e.g. `MQTT-3.3.2-2`. */
  readonly specRef?: string;
  /** The underlying error, when there is one. */
  readonly cause?: unknown;
}

/** Base class of every error rxmqtt raises. */
export class MqttError extends Error {
  /** A stable machine-readable code, e.g. `DECODE_MALFORMED`. */
  readonly code: string;
  /** The statement id of the MQTT specification the failed check enforces, when one applies. */
  readonly specRef: string | undefined;
  override readonly cause: unknown;

  constructor(code: string, message: string, options: MqttErrorOptions = {}) {
    super(options.specRef ? `${message} [${options.specRef}]` : message);
    this.name = new.target.name;
    this.code = code;
    this.specRef = options.specRef;
    this.cause = options.cause;
  }
}

/**
 * Malformed bytes from the network. `offset` is the byte offset within the stream (counted from
 * the first byte the decoder was given) at which the problem was found.
 */
export class DecodeError extends MqttError {
  readonly offset: number;
  /** The MQTT 5 reason code a receiver should send when it closes the connection (0x81 or 0x95 ...). */
  readonly reasonCode: number;
  constructor(code: string, message: string, offset: number, options: MqttErrorOptions & { reasonCode?: number } = {}) {
    super(code, `${message} (at byte ${offset})`, options);
    this.offset = offset;
    this.reasonCode = options.reasonCode ?? 0x81;
  }
}

/** A packet object that cannot be encoded; `field` names the offending field (e.g. `topic`). */
export class EncodeError extends MqttError {
  readonly field: string;
  constructor(code: string, message: string, field: string, options: MqttErrorOptions = {}) {
    super(code, `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A public function was called with an argument the user got wrong; `argument` names it. */
export class InvalidArgumentError extends MqttError {
  readonly argument: string;
  constructor(argument: string, message: string, options: MqttErrorOptions = {}) {
    super('INVALID_ARGUMENT', `${argument}: ${message}`, options);
    this.argument = argument;
  }
}

/** The peer broke the protocol (a packet that is well formed but not allowed here). */
export class ProtocolError extends MqttError {
  /** The MQTT 5 reason code that describes the violation (0x82 Protocol Error by default). */
  readonly reasonCode: number;
  constructor(message: string, options: MqttErrorOptions & { reasonCode?: number; code?: string } = {}) {
    super(options.code ?? 'PROTOCOL_ERROR', message, options);
    this.reasonCode = options.reasonCode ?? 0x82;
  }
}

/** The broker refused the connection (CONNACK with a non-zero return code or a reason code >= 0x80). */
export class ConnectRefusedError extends MqttError {
  readonly reasonCode: number;
  readonly reasonString: string | undefined;
  constructor(reasonCode: number, message: string, options: MqttErrorOptions & { reasonString?: string } = {}) {
    super('CONNECT_REFUSED', options.reasonString ? `${message}: ${options.reasonString}` : message, options);
    this.reasonCode = reasonCode;
    this.reasonString = options.reasonString;
  }
}

/** The broker refused a subscription (SUBACK 0x80, or an MQTT 5 reason code >= 0x80). */
export class SubscribeRefusedError extends MqttError {
  readonly topicFilter: string;
  readonly reasonCode: number;
  readonly reasonString: string | undefined;
  constructor(topicFilter: string, reasonCode: number, options: MqttErrorOptions & { reasonString?: string } = {}) {
    super(
      'SUBSCRIBE_REFUSED',
      `subscription to '${topicFilter}' refused with reason code 0x${reasonCode.toString(16).padStart(2, '0')}` +
        (options.reasonString ? `: ${options.reasonString}` : ''),
      options,
    );
    this.topicFilter = topicFilter;
    this.reasonCode = reasonCode;
    this.reasonString = options.reasonString;
  }
}

/** A QoS 1 or 2 publish was answered with a failure reason code (>= 0x80). */
export class PublishFailedError extends MqttError {
  readonly topic: string;
  readonly reasonCode: number;
  readonly reasonString: string | undefined;
  constructor(topic: string, reasonCode: number, options: MqttErrorOptions & { reasonString?: string } = {}) {
    super(
      'PUBLISH_FAILED',
      `publish to '${topic}' failed with reason code 0x${reasonCode.toString(16).padStart(2, '0')}` +
        (options.reasonString ? `: ${options.reasonString}` : ''),
      options,
    );
    this.topic = topic;
    this.reasonCode = reasonCode;
    this.reasonString = options.reasonString;
  }
}

/**
 * The connection is gone: closed by the peer, by the network, by the server's DISCONNECT, or by the
 * user. Pending operations fail with this error. `reasonCode` is the DISCONNECT reason code when the
 * server sent one.
 */
export class ConnectionClosedError extends MqttError {
  readonly reasonCode: number | undefined;
  constructor(message: string, options: MqttErrorOptions & { reasonCode?: number; code?: string } = {}) {
    super(options.code ?? 'CONNECTION_CLOSED', message, options);
    this.reasonCode = options.reasonCode;
  }
}

/** Something did not happen in time (CONNACK, PINGRESP, a graceful disconnect, ...). */
export class TimeoutError extends MqttError {
  constructor(code: string, message: string, options: MqttErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A transport could not be opened or failed (DNS, refused, TLS verification, WebSocket error). */
export class TransportError extends MqttError {
  constructor(message: string, options: MqttErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'TRANSPORT_ERROR', message, options);
  }
}

/** A publish was refused by the offline queue (full, or the client was closed). */
export class QueueFullError extends MqttError {
  constructor(message: string, options: MqttErrorOptions = {}) {
    super('QUEUE_FULL', message, options);
  }
}

/** A persistent store could not be read or written (corrupt or truncated file, I/O failure). */
export class StoreError extends MqttError {
  constructor(code: string, message: string, options: MqttErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * A store file that cannot be trusted: `code` is `STORE_CORRUPT` (a damaged record before the end of
 * the file) or `STORE_WRONG_FILE` (not a store file, or another format version). `path` names the
 * file and `offset` the byte at which the problem was found.
 */
export class StoreCorruptError extends StoreError {
  readonly path: string;
  readonly offset: number;
  constructor(code: string, message: string, path: string, offset: number, options: MqttErrorOptions = {}) {
    super(code, `${path}: ${message} (at byte ${offset})`, options);
    this.path = path;
    this.offset = offset;
  }
}

/**
 * A message payload that is not what the application expects: `code` is `PAYLOAD_INVALID_JSON`
 * (not UTF-8 JSON) or `PAYLOAD_REJECTED` (valid JSON that the guard refused). `topic` names the
 * message's topic.
 */
export class PayloadError extends MqttError {
  readonly topic: string;
  constructor(code: string, message: string, topic: string, options: MqttErrorOptions = {}) {
    super(code, `${message} (topic '${topic}')`, options);
    this.topic = topic;
  }
}
