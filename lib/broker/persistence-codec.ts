import { encode } from '../codec/encode.js';
import { StoreCorruptError } from '../errors.js';
import { frameRecord } from '../node/append-log.js';
import { decodeOnePacket } from '../operators/packet-framer.js';
import type { BrokerMessage } from './broker-message.js';

/**
 * Record types of the broker's persistence log. Every number is big-endian; `key` is a u32 naming a
 * session (given by its SESSION record), `seq` an f64 naming one delivery, `id` an f64 naming a
 * message (given by its MESSAGE record), `str` a u32 byte length and UTF-8.
 */
export const OP = {
  /** key, expiry f64 (Infinity: never), protocol version u8, client id str */
  SESSION: 1,
  /** key: the session ended, with everything it held */
  SESSION_GONE: 2,
  /** key, at f64: the client left at `at` (epoch ms) */
  OFFLINE: 3,
  /** key: a client is attached again */
  ONLINE: 4,
  /** key, qos u8, flags u8 (1 No Local, 2 Retain As Published), retain handling u8, subscription id u32 (0: none), filter str */
  SUBSCRIBE: 5,
  /** key, filter str */
  UNSUBSCRIBE: 6,
  /** id, expiresAt f64 (NaN: none), has sender u8, sender str when it has, then the message as an MQTT 5 PUBLISH */
  MESSAGE: 7,
  /** id: the retained message of its topic */
  RETAIN: 8,
  /** topic str: no retained message any more */
  RETAIN_CLEAR: 9,
  /** key, seq, id, qos u8, retain u8, packet id u16 (0: queued), state u8 (1: PUBREL sent), n u16, n subscription ids u32 */
  DELIVERY: 10,
  /** key, seq, packet id u16: a queued delivery went out */
  STARTED: 11,
  /** key, seq: PUBREC came, PUBREL is next */
  RELEASED: 12,
  /** key, seq: the delivery is finished */
  DONE: 13,
  /** key, packet id u16: inbound QoS 2 id awaiting PUBREL */
  INBOUND_ADD: 14,
  /** key, packet id u16: released */
  INBOUND_DELETE: 15,
} as const;

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: true });

/** Builds one record body at a time in a reused buffer; {@link RecordWriter.frame} returns it framed. */
export class RecordWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buffer.length) return;
    const bigger = new Uint8Array(Math.max(this.buffer.length * 2, this.pos + n));
    bigger.set(this.buffer.subarray(0, this.pos));
    this.buffer = bigger;
    this.view = new DataView(bigger.buffer);
  }

  u8(v: number): this {
    this.room(1);
    this.buffer[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }

  f64(v: number): this {
    this.room(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buffer.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  str(s: string): this {
    const b = utf8.encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** The record of type `op` with what was written since the last frame. */
  frame(op: number): Uint8Array {
    const record = frameRecord(op, this.buffer.subarray(0, this.pos));
    this.pos = 0;
    return record;
  }
}

/** Reads one record body; anything short or malformed is StoreCorruptError `STORE_CORRUPT` at its offset. */
export class RecordReader {
  private readonly view: DataView;
  private pos = 1; // after the record type

  constructor(
    readonly body: Uint8Array,
    private readonly path: string,
    private readonly offset: number,
  ) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  corrupt(why: string, cause?: unknown): never {
    throw new StoreCorruptError('STORE_CORRUPT', why, this.path, this.offset, { cause });
  }

  private need(n: number): number {
    if (this.pos + n > this.body.length) this.corrupt('record cut short');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.body[this.need(1)];
  }

  u16(): number {
    return this.view.getUint16(this.need(2));
  }

  u32(): number {
    return this.view.getUint32(this.need(4));
  }

  f64(): number {
    return this.view.getFloat64(this.need(8));
  }

  str(): string {
    const n = this.u32();
    const at = this.need(n);
    try {
      return text.decode(this.body.subarray(at, at + n));
    } catch (error) {
      return this.corrupt('invalid UTF-8 in a record', error);
    }
  }

  /** The bytes not read yet. */
  rest(): Uint8Array {
    const at = this.pos;
    this.pos = this.body.length;
    return this.body.subarray(at);
  }

  /** The record must end here. */
  end(): void {
    if (this.pos !== this.body.length) this.corrupt('record longer than its type allows');
  }
}

/** Writes the body of a MESSAGE record (without the type). */
export function writeMessage(w: RecordWriter, id: number, m: BrokerMessage): RecordWriter {
  w.f64(id).f64(m.expiresAt ?? Number.NaN);
  if (m.senderId === undefined) w.u8(0);
  else w.u8(1).str(m.senderId);
  // The codec's own PUBLISH form keeps topic, payload, QoS, retain and every property.
  return w.bytes(
    encode(
      { type: 'publish', topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, dup: false, packetId: m.qos > 0 ? 1 : undefined, properties: m.properties },
      { protocolVersion: 5 },
    ),
  );
}

/** Reads a MESSAGE record body (after the type): its id and the message. */
export function readMessage(r: RecordReader): { id: number; message: BrokerMessage } {
  const id = r.f64();
  const expiresAt = r.f64();
  const senderId = r.u8() === 1 ? r.str() : undefined;
  let packet;
  try {
    packet = decodeOnePacket(r.rest(), { protocolVersion: 5 });
  } catch (error) {
    return r.corrupt('undecodable message record', error);
  }
  if (packet.type !== 'publish') return r.corrupt('undecodable message record');
  const message: BrokerMessage = {
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    properties: packet.properties,
    expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
    senderId,
  };
  return { id, message };
}
