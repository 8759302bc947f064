import { DecodeError, InvalidArgumentError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import type { Packet, ProtocolVersion } from './packet.js';
import type { DecoderOptions, PacketDecoder } from './decoder.js';
import type { PacketCodeTable } from './packet-types.js';
import { show } from './byte-writer.js';

/**
 * The largest packet MQTT can frame: 1 type byte, 4 length bytes, 268 435 455 bytes of body. The
 * default `maximumPacketSize` of {@link PacketDecoder}.
 *
 * @example
 * ```ts
 * new PacketDecoder({ maximumPacketSize: Math.min(MAX_PACKET_SIZE, 1 << 20) });
 * ```
 */
export const MAX_PACKET_SIZE = 268_435_460;
const EMPTY = new Uint8Array(0);
/**
 * A packet split over chunks gets a buffer of its whole size when it is at most this big (one
 * allocation, one copy per chunk). A bigger one starts at this size and grows by doubling as its
 * bytes arrive, so a peer announcing a huge packet cannot make the decoder allocate it up front.
 */
const EAGER_PENDING_CAPACITY = 256 * 1024;

/**
 * The streaming decoder behind {@link PacketDecoder}, dispatching through the packet table it is
 * given: the full table (PacketDecoder, the broker) or the client's (client-packet-types.ts), so that
 * a client bundle carries no decoder of a packet only a client sends. Behaviour is that of
 * PacketDecoder; see there.
 */
export class FrameDecoder {
  /** The version in force; a server decoder sets it from CONNECT. May be assigned. */
  protocolVersion: ProtocolVersion | undefined;
  /** Largest packet accepted, fixed header included. */
  readonly maximumPacketSize: number;
  private readonly reader = new ByteReader();
  /** Stream offset of the next chunk's first byte. */
  private consumed = 0;
  /** The incomplete packet: bytes so far, count, total size (-1 while its fixed header is incomplete). */
  private pending: Uint8Array = EMPTY;
  private pendingLength = 0;
  private pendingTotal = 0;
  private pendingHeader = 0;
  private pendingStart = 0;
  /** Remaining Length of the last fixed header read. */
  private remainingLength = 0;
  private failed = false;
  private failure: unknown = undefined;

  constructor(
    options: DecoderOptions,
    private readonly types: PacketCodeTable,
  ) {
    const { protocolVersion, maximumPacketSize = MAX_PACKET_SIZE } = options;
    if (protocolVersion !== undefined && protocolVersion !== 4 && protocolVersion !== 5) {
      throw new InvalidArgumentError('protocolVersion', `must be 4, 5 or undefined, got ${show(protocolVersion)}`);
    }
    if (typeof maximumPacketSize !== 'number' || !Number.isInteger(maximumPacketSize) || maximumPacketSize < 2) {
      throw new InvalidArgumentError('maximumPacketSize', `must be an integer of at least 2, got ${show(maximumPacketSize)}`);
    }
    this.protocolVersion = protocolVersion;
    this.maximumPacketSize = Math.min(maximumPacketSize, MAX_PACKET_SIZE);
  }

  /** Bytes held while waiting for the rest of a packet. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /** Decodes as many whole packets as `chunk` completes, calling `onPacket` for each in order. */
  write(chunk: Uint8Array, onPacket: (packet: Packet) => void): void {
    if (this.failed) throw this.failure;
    if (!(chunk instanceof Uint8Array)) throw new InvalidArgumentError('chunk', 'must be a Uint8Array');
    const base = this.consumed;
    this.consumed += chunk.length;
    try {
      let pos = this.pendingTotal !== 0 ? this.continuePending(chunk, onPacket) : 0;
      const len = chunk.length;
      while (pos >= 0 && pos < len) {
        const headerLength = this.readFixedHeader(chunk, pos, len, base);
        if (headerLength === 0) {
          this.startPending(chunk, pos, base, -1, 0);
          return;
        }
        const end = pos + headerLength + this.remainingLength;
        if (end > len) {
          this.startPending(chunk, pos, base, end - pos, headerLength);
          return;
        }
        this.decodeOne(chunk, pos, headerLength, end, base, onPacket);
        pos = end;
      }
    } catch (e) {
      // The stream can no longer be framed (or the callback threw mid-chunk): stay failed.
      this.failed = true;
      this.failure = e;
      this.pending = EMPTY;
      this.pendingLength = 0;
      throw e;
    }
  }

  /**
   * Reads the fixed header at `buf[start]`. Returns its length (2 to 5), or 0 when `end` comes first.
   * Rejects the packet type, its flags and its size before any of the body is buffered.
   */
  private readFixedHeader(buf: Uint8Array, start: number, end: number, base: number): number {
    let value = 0;
    let multiplier = 1;
    let i = start + 1;
    for (let k = 0; k < 4; k++) {
      if (i >= end) {
        // Incomplete: the packet is at least one more header byte plus what the length has so far.
        if (i - start + 1 + value > this.maximumPacketSize) this.tooLarge(i - start + 1 + value, base + start);
        return 0;
      }
      const b = buf[i++];
      value += (b & 0x7f) * multiplier;
      if (b < 0x80) {
        if (b === 0 && k > 0 && this.protocolVersion === 5) {
          throw new DecodeError('DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', 'remaining length is not minimally encoded', base + start + 1, {
            specRef: 'MQTT-1.5.5-1',
          });
        }
        const headerLength = i - start;
        if (headerLength + value > this.maximumPacketSize) this.tooLarge(headerLength + value, base + start);
        // Size first, then type and flags: a huge announced length is reported as 0x95 whatever else is wrong.
        this.checkFirstByte(buf[start], base + start);
        this.remainingLength = value;
        return headerLength;
      }
      multiplier *= 128;
    }
    throw new DecodeError('DECODE_MALFORMED_VARIABLE_BYTE_INTEGER', 'remaining length is longer than 4 bytes', base + start + 1);
  }

  private tooLarge(size: number, offset: number): never {
    throw new DecodeError('DECODE_PACKET_TOO_LARGE', `a packet of ${size} bytes or more exceeds the maximum packet size ${this.maximumPacketSize}`, offset, {
      reasonCode: 0x95,
    });
  }

  private checkFirstByte(first: number, offset: number): void {
    const code = first >> 4;
    const flags = first & 0x0f;
    const entry = this.types[code];
    const version = this.protocolVersion;
    if (entry === undefined || (entry.v5Only && version === 4)) {
      throw new DecodeError('DECODE_RESERVED_PACKET_TYPE', `packet type ${code} is reserved${code === 15 ? ' in MQTT 3.1.1' : ''}`, offset);
    }
    if (version === undefined && code !== 1) {
      throw new DecodeError('DECODE_CONNECT_EXPECTED', `the first packet must be CONNECT, got ${entry.type.toUpperCase()}`, offset, {
        specRef: 'MQTT-3.1.0-1',
        reasonCode: 0x82,
      });
    }
    if (entry.flags >= 0) {
      if (flags !== entry.flags) {
        throw new DecodeError('DECODE_INVALID_FLAGS', `${entry.type.toUpperCase()} fixed header flags must be ${entry.flags}, got ${flags}`, offset, {
          specRef: version === 5 ? 'MQTT-2.1.3-1' : 'MQTT-2.2.2-1',
        });
      }
    } else {
      const qos = (flags >> 1) & 3;
      if (qos === 3) throw new DecodeError('DECODE_INVALID_QOS', 'PUBLISH QoS must not be 3', offset, { specRef: 'MQTT-3.3.1-4' });
      if (qos === 0 && (flags & 8) !== 0) {
        throw new DecodeError('DECODE_INVALID_FLAGS', 'DUP must be 0 on a QoS 0 PUBLISH', offset, { specRef: 'MQTT-3.3.1-2' });
      }
    }
  }

  private decodeOne(buf: Uint8Array, start: number, headerLength: number, end: number, base: number, onPacket: (p: Packet) => void): void {
    const first = buf[start];
    const entry = this.types[first >> 4]!;
    const r = this.reader;
    const expected = this.protocolVersion;
    r.reset(buf, start + headerLength, end, base, expected ?? 4);
    const packet = entry.decode(r, first & 0x0f, expected);
    if (r.pos !== end) {
      r.fail('DECODE_TRAILING_BYTES', `${end - r.pos} bytes left over at the end of the ${entry.type.toUpperCase()}`);
    }
    r.buf = EMPTY;
    if (expected === undefined && packet.type === 'connect') this.protocolVersion = packet.protocolVersion;
    onPacket(packet);
  }

  /** Copies the incomplete packet starting at `chunk[from]` into a new pending buffer. */
  private startPending(chunk: Uint8Array, from: number, base: number, total: number, headerLength: number): void {
    const n = chunk.length - from;
    const capacity = total < 0 ? 8 : total <= EAGER_PENDING_CAPACITY ? total : Math.min(total, Math.max(n * 2, EAGER_PENDING_CAPACITY));
    this.pending = new Uint8Array(capacity);
    this.pending.set(chunk.subarray(from), 0);
    this.pendingLength = n;
    this.pendingTotal = total;
    this.pendingHeader = headerLength;
    this.pendingStart = base + from;
  }

  /** Feeds the pending packet from the head of `chunk`. Returns where the chunk's next packet starts, or -1. */
  private continuePending(chunk: Uint8Array, onPacket: (p: Packet) => void): number {
    let pos = 0;
    const len = chunk.length;
    while (this.pendingTotal < 0) {
      // The fixed header itself was split: take its bytes one at a time (at most 4 more).
      if (pos >= len) return -1;
      this.pending[this.pendingLength++] = chunk[pos++];
      const headerLength = this.readFixedHeader(this.pending, 0, this.pendingLength, this.pendingStart);
      if (headerLength > 0) {
        this.pendingHeader = headerLength;
        this.pendingTotal = headerLength + this.remainingLength;
        this.grow(Math.min(this.pendingTotal, EAGER_PENDING_CAPACITY));
      }
    }
    const n = Math.min(this.pendingTotal - this.pendingLength, len - pos);
    if (this.pendingLength + n > this.pending.length) {
      this.grow(Math.min(this.pendingTotal, Math.max(this.pending.length * 2, this.pendingLength + n)));
    }
    this.pending.set(chunk.subarray(pos, pos + n), this.pendingLength);
    this.pendingLength += n;
    pos += n;
    if (this.pendingLength < this.pendingTotal) return -1;
    // Complete: decode from the pending buffer, which is then handed over to the packet (never reused).
    const buf = this.pending;
    const total = this.pendingTotal;
    this.pending = EMPTY;
    this.pendingLength = 0;
    this.pendingTotal = 0;
    this.decodeOne(buf, 0, this.pendingHeader, total, this.pendingStart, onPacket);
    return pos;
  }

  private grow(capacity: number): void {
    if (capacity <= this.pending.length) return;
    const next = new Uint8Array(capacity);
    next.set(this.pending.subarray(0, this.pendingLength), 0);
    this.pending = next;
  }
}
