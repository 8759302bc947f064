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

/**
 * Base class of every error rxmqtt raises: catch it to handle any of them, and switch on `code`.
 *
 * @example
 * ```ts
 * try {
 *   await client.publishAsync('sensors/s1/temperature', '21.5', { qos: 1 });
 * } catch (error) {
 *   if (error instanceof MqttError) console.error(error.code, error.message, error.specRef ?? '');
 *   else throw error;
 * }
 * ```
 */
export class MqttError extends Error {
  /** A stable machine-readable code, e.g. `DECODE_MALFORMED`. */
  readonly code: string;
  /** The statement id of the MQTT specification the failed check enforces, when one applies. */
  readonly specRef: string | undefined;
  /** The underlying error (a socket error, a refused promise, ...), when there is one. */
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
 * the first byte the decoder was given) at which the problem was found. Raised by
 * {@link PacketDecoder} and `decodePackets()`; the client closes the connection with it
 * (`state$` shows the cause) and the broker drops the offending connection only.
 *
 * @example
 * ```ts
 * const decoder = new PacketDecoder({ protocolVersion: 4 });
 * try {
 *   decoder.write(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x7f), (packet) => console.log(packet));
 * } catch (error) {
 *   // a Remaining Length of five bytes: DECODE_MALFORMED_VARIABLE_BYTE_INTEGER at byte 1
 *   if (error instanceof DecodeError) console.log(error.code, error.offset);
 * }
 * ```
 */
export class DecodeError extends MqttError {
  /** The byte offset in the stream, counted from the first byte the decoder was given. */
  readonly offset: number;
  /** The MQTT 5 reason code a receiver should send when it closes the connection (0x81 or 0x95 ...). */
  readonly reasonCode: number;
  constructor(code: string, message: string, offset: number, options: MqttErrorOptions & { reasonCode?: number } = {}) {
    super(code, `${message} (at byte ${offset})`, options);
    this.offset = offset;
    this.reasonCode = options.reasonCode ?? 0x81;
  }
}

/**
 * A packet object that cannot be encoded; `field` names the offending field (e.g. `topic`).
 * Raised by {@link encode} and `encodePackets()`.
 *
 * @example
 * ```ts
 * try {
 *   encode({ type: 'publish', topic: 'a/+', qos: 0, retain: false, dup: false, payload: new Uint8Array() }, { protocolVersion: 4 });
 * } catch (error) {
 *   if (error instanceof EncodeError) console.log(error.code, error.field, error.specRef); // ENCODE_INVALID_TOPIC topic MQTT-3.3.2-2
 * }
 * ```
 */
export class EncodeError extends MqttError {
  /** The packet field that could not be encoded, e.g. `topic` or `properties.topicAlias`. */
  readonly field: string;
  constructor(code: string, message: string, field: string, options: MqttErrorOptions = {}) {
    super(code, `${field}: ${message}`, options);
    this.field = field;
  }
}

/**
 * A public function was called with an argument the user got wrong; `argument` names it; `code` is
 * `INVALID_ARGUMENT`. Thrown by the call itself, before anything is sent (only what depends on the
 * server's limits, such as a publish too large for it, errors the returned Observable instead).
 *
 * @example
 * ```ts
 * try {
 *   client.subscribe('sensors/#/temperature'); // '#' must be the last level
 * } catch (error) {
 *   if (error instanceof InvalidArgumentError) console.log(error.argument, error.specRef); // filter MQTT-4.7.1-2
 * }
 * ```
 */
export class InvalidArgumentError extends MqttError {
  /** The name of the argument or option that was wrong, e.g. `filter` or `will.qos`. */
  readonly argument: string;
  constructor(argument: string, message: string, options: MqttErrorOptions = {}) {
    super('INVALID_ARGUMENT', `${argument}: ${message}`, options);
    this.argument = argument;
  }
}

/**
 * The peer broke the protocol (a packet that is well formed but not allowed here). The client
 * closes the connection with it (MQTT 5: after a DISCONNECT with `reasonCode`) and reconnects when
 * reconnecting is on.
 *
 * @example
 * ```ts
 * client.state$.subscribe((s) => {
 *   if (s.status === 'reconnecting' && s.cause instanceof ProtocolError) console.warn('broker broke the protocol:', s.cause.message);
 * });
 * ```
 */
export class ProtocolError extends MqttError {
  /** The MQTT 5 reason code that describes the violation (0x82 Protocol Error by default). */
  readonly reasonCode: number;
  constructor(message: string, options: MqttErrorOptions & { reasonCode?: number; code?: string } = {}) {
    super(options.code ?? 'PROTOCOL_ERROR', message, options);
    this.reasonCode = options.reasonCode ?? 0x82;
  }
}

/**
 * The broker refused the connection (CONNACK with a non-zero return code or a reason code >= 0x80).
 * `connectAsync()` rejects with it; `state$` ends with it as `closed` error.
 *
 * @example
 * ```ts
 * try {
 *   await connectAsync('mqtt://broker.example.com', { username: 'sensor-7', password: 'wrong' });
 * } catch (error) {
 *   if (error instanceof ConnectRefusedError) console.log(error.reasonCode, error.message); // 5 (3.1.1) or 0x86 (5.0)
 * }
 * ```
 */
export class ConnectRefusedError extends MqttError {
  /** The CONNACK return code (3.1.1, e.g. 5 not authorized) or reason code (5.0, e.g. 0x87). */
  readonly reasonCode: number;
  /** MQTT 5: the CONNACK's Reason String, when the broker sent one. */
  readonly reasonString: string | undefined;
  /** MQTT 5: the CONNACK's Server Reference (with 0x9C Use another server, 0x9D Server moved), when the broker sent one. */
  readonly serverReference: string | undefined;
  constructor(reasonCode: number, message: string, options: MqttErrorOptions & { reasonString?: string; serverReference?: string } = {}) {
    super('CONNECT_REFUSED', options.reasonString ? `${message}: ${options.reasonString}` : message, options);
    this.reasonCode = reasonCode;
    this.reasonString = options.reasonString;
    this.serverReference = options.serverReference;
  }
}

/**
 * The broker refused a subscription (SUBACK 0x80, or an MQTT 5 reason code >= 0x80). The
 * Observable returned by `subscribe()` errors with it.
 *
 * @example
 * ```ts
 * client.subscribe('admin/#', { qos: 1 }).subscribe({
 *   next: (m) => console.log(m.topic),
 *   error: (e) => { if (e instanceof SubscribeRefusedError) console.warn(`${e.topicFilter} refused: 0x${e.reasonCode.toString(16)}`); },
 * });
 * ```
 */
export class SubscribeRefusedError extends MqttError {
  /** The topic filter the broker refused. */
  readonly topicFilter: string;
  /** The SUBACK return code (0x80 in 3.1.1) or MQTT 5 reason code (e.g. 0x87 Not authorized). */
  readonly reasonCode: number;
  /** MQTT 5: the SUBACK's Reason String, when the broker sent one. */
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

/**
 * A QoS 1 or 2 publish was answered with a failure reason code (>= 0x80, MQTT 5 only).
 * `publish()` errors and `publishAsync()` rejects with it.
 *
 * @example
 * ```ts
 * try {
 *   await client.publishAsync('plant/valves/3/set', 'open', { qos: 1 });
 * } catch (error) {
 *   if (error instanceof PublishFailedError) console.warn(error.topic, reasonCodeName(error.reasonCode, 'puback'));
 * }
 * ```
 */
export class PublishFailedError extends MqttError {
  /** The topic of the refused publish. */
  readonly topic: string;
  /** The PUBACK or PUBREC reason code, e.g. 0x87 Not authorized or 0x97 Quota exceeded. */
  readonly reasonCode: number;
  /** The Reason String of the PUBACK or PUBREC, when the broker sent one. */
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
 * A publish waited longer than its MQTT 5 Message Expiry Interval (`properties.messageExpiryInterval`)
 * in the client's queue (offline, or for a slot of the outbound window): it is dropped, never sent,
 * and counted in `client.stats()` as `expired`.
 *
 * @example
 * ```ts
 * client.publish('alerts/door', 'open', { qos: 1, properties: { messageExpiryInterval: 30 } }).subscribe({
 *   error: (e) => { if (e instanceof MessageExpiredError) console.warn(`dropped after ${e.waitedSeconds} s offline`); },
 * });
 * ```
 */
export class MessageExpiredError extends MqttError {
  /** The topic of the dropped publish. */
  readonly topic: string;
  /** How long it waited, in whole seconds. */
  readonly waitedSeconds: number;
  constructor(topic: string, waitedSeconds: number, expirySeconds: number) {
    super('MESSAGE_EXPIRED', `publish to '${topic}' dropped: it waited ${waitedSeconds} s in the queue, past its Message Expiry Interval of ${expirySeconds} s`);
    this.topic = topic;
    this.waitedSeconds = waitedSeconds;
  }
}

/**
 * The connection is gone: closed by the peer, by the network, by the server's DISCONNECT, or by the
 * user. Pending operations fail with this error. `reasonCode` is the DISCONNECT reason code when the
 * server sent one.
 *
 * @example
 * ```ts
 * client.publish('logs/app', 'started', { qos: 1 }).subscribe({
 *   error: (e) => { if (e instanceof ConnectionClosedError) console.warn('not delivered:', e.code, e.reasonCode); },
 * });
 * await client.disconnect(); // a publish still waiting for its PUBACK after the timeout errors with it
 * ```
 */
export class ConnectionClosedError extends MqttError {
  /** The reason code of the server's MQTT 5 DISCONNECT, when it sent one. */
  readonly reasonCode: number | undefined;
  /** MQTT 5: the DISCONNECT's Server Reference (with 0x9C Use another server, 0x9D Server moved), when the server sent one. */
  readonly serverReference: string | undefined;
  constructor(message: string, options: MqttErrorOptions & { reasonCode?: number; code?: string; serverReference?: string } = {}) {
    super(options.code ?? 'CONNECTION_CLOSED', message, options);
    this.reasonCode = options.reasonCode;
    this.serverReference = options.serverReference;
  }
}

/**
 * Something did not happen in time: `code` is `CONNECT_TIMEOUT` (no CONNACK) or
 * `KEEPALIVE_TIMEOUT` (no packet after a PINGREQ). The connection is closed and, when reconnecting
 * is on, tried again.
 *
 * @example
 * ```ts
 * client.state$.subscribe((s) => {
 *   if (s.status === 'reconnecting' && s.cause instanceof TimeoutError) console.warn(`${s.cause.code}: retry in ${s.delay} ms`);
 * });
 * ```
 */
export class TimeoutError extends MqttError {
  constructor(code: string, message: string, options: MqttErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * A transport could not be opened or failed (DNS, refused, TLS verification, WebSocket error).
 * `cause` holds the underlying error (for Node sockets, with its `code`, e.g. `ECONNREFUSED`).
 *
 * @example
 * ```ts
 * try {
 *   await connectAsync('mqtt://127.0.0.1:1', { reconnect: false });
 * } catch (error) {
 *   if (error instanceof TransportError) console.error(error.message); // '... failed: connect ECONNREFUSED 127.0.0.1:1'
 * }
 * ```
 */
export class TransportError extends MqttError {
  constructor(message: string, options: MqttErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'TRANSPORT_ERROR', message, options);
  }
}

/**
 * A publish was refused by the offline queue (full, or the client was closed), or no packet
 * identifier was free. `publish()` errors and `publishAsync()` rejects with it.
 *
 * @example
 * ```ts
 * const client = connect('wss://broker.example.com/mqtt', { offlineQueue: { maxMessages: 100 } });
 * client.publishAsync('sensors/s1/temperature', '21.5', { qos: 1 }).catch((e) => {
 *   if (e instanceof QueueFullError) console.warn('dropped while offline:', e.message);
 * });
 * ```
 */
export class QueueFullError extends MqttError {
  constructor(message: string, options: MqttErrorOptions = {}) {
    super('QUEUE_FULL', message, options);
  }
}

/**
 * A persistent store could not be read or written: `code` is `STORE_IO` (an I/O failure, in
 * `cause`), `STORE_CLOSED` (used after `close()`), or one of {@link StoreCorruptError}'s codes.
 * A store failure ends the client's connection with it: `STORE_IO` is retried like a lost
 * connection, `STORE_CLOSED` closes the client.
 *
 * @example
 * ```ts
 * const store = new FileInFlightStore('/var/lib/sensor/mqtt-inflight');
 * const client = await connectAsync('mqtts://broker.example.com', { clientId: 'sensor-7', clean: false, store });
 * client.state$.subscribe((s) => {
 *   if (s.status === 'reconnecting' && s.cause instanceof StoreError) console.error('store failed, retrying:', s.cause.message);
 * });
 * ```
 */
export class StoreError extends MqttError {
  constructor(code: string, message: string, options: MqttErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * A store file that cannot be trusted: `code` is `STORE_CORRUPT` (a damaged record before the end of
 * the file) or `STORE_WRONG_FILE` (not a store file, or another format version). `path` names the
 * file and `offset` the byte at which the problem was found.
 *
 * @example
 * ```ts
 * try {
 *   new FileInFlightStore('/var/lib/sensor/mqtt-inflight');
 * } catch (error) {
 *   if (error instanceof StoreCorruptError) console.error(`${error.path} damaged at byte ${error.offset}: ${error.code}`);
 * }
 * ```
 */
export class StoreCorruptError extends StoreError {
  /** The store file. */
  readonly path: string;
  /** The byte of the file at which the problem was found. */
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
 * message's topic. Raised by the {@link json} operator (unless told to skip invalid messages).
 *
 * @example
 * ```ts
 * client.subscribe('sensors/#').pipe(json<{ celsius: number }>()).subscribe({
 *   next: (m) => console.log(m.topic, m.value.celsius),
 *   error: (e) => { if (e instanceof PayloadError) console.error(e.code, e.topic); },
 * });
 * ```
 */
export class PayloadError extends MqttError {
  /** The topic of the message whose payload was refused. */
  readonly topic: string;
  constructor(code: string, message: string, topic: string, options: MqttErrorOptions = {}) {
    super(code, `${message} (topic '${topic}')`, options);
    this.topic = topic;
  }
}
