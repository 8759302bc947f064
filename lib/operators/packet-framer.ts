import type { DecoderOptions } from '../codec/decoder.js';
import { FrameDecoder } from '../codec/frame-decoder.js';
import { PACKET_TYPES, type PacketCodeTable } from '../codec/packet-types.js';
import type { Packet, ProtocolVersion } from '../codec/packet.js';
import { DecodeError } from '../errors.js';

/**
 * The one framing step every decode path shares: a {@link PacketDecoder} plus the rule for the end
 * of the byte stream. {@link decodePackets} is built on it; code that is driven by callbacks rather
 * than Observables (a broker connection reading a socket, a file replay) uses it directly, so that
 * truncation behaves the same everywhere: bytes left over when the stream ends are a DecodeError
 * with code `DECODE_TRUNCATED`.
 *
 * Not an Observable: `write` calls back synchronously for each completed packet and throws
 * {@link DecodeError} on malformed bytes (the framer then stays failed, like the decoder); `end`
 * throws `DECODE_TRUNCATED` when the stream stopped inside a packet.
 *
 * @example
 * ```ts
 * const framer = new PacketFramer({ maximumPacketSize: 1 << 20 });
 * socket.on('data', (chunk) => framer.write(chunk, handle));
 * socket.on('end', () => framer.end()); // throws DECODE_TRUNCATED after half a packet
 * ```
 */
export class TableFramer {
  private readonly decoder: FrameDecoder;
  private received = 0;

  /**
   * Throws InvalidArgumentError for an invalid protocol version or maximum packet size. `types` is
   * the packet table to decode with: the full one ({@link PacketFramer}) or the client's
   * (client-packet-types.ts), so that a client bundle does not carry the full table.
   */
  constructor(options: DecoderOptions, types: PacketCodeTable) {
    this.decoder = new FrameDecoder(options, types);
  }

  /** The version in force: the one given, or (a server) the one adopted from CONNECT. */
  get protocolVersion(): ProtocolVersion | undefined {
    return this.decoder.protocolVersion;
  }

  /** Largest packet accepted, fixed header included. */
  get maximumPacketSize(): number {
    return this.decoder.maximumPacketSize;
  }

  /** Bytes held while waiting for the rest of a packet. */
  get bufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  /**
   * Decodes every packet `chunk` completes, calling `onPacket` for each in order. A packet larger
   * than the maximum is refused as soon as its fixed header is read, before its body is buffered.
   */
  write(chunk: Uint8Array, onPacket: (packet: Packet) => void): void {
    this.received += chunk.length;
    this.decoder.write(chunk, onPacket);
  }

  /** The byte stream ended: throws DecodeError `DECODE_TRUNCATED` when it ended inside a packet. */
  end(): void {
    const pending = this.decoder.bufferedBytes;
    if (pending > 0) {
      throw new DecodeError('DECODE_TRUNCATED', `the stream ended inside a packet (${pending} bytes of it received)`, this.received);
    }
  }
}

/** A {@link TableFramer} over the full packet table. */
export class PacketFramer extends TableFramer {
  /** Throws InvalidArgumentError for an invalid protocol version or maximum packet size. */
  constructor(options: DecoderOptions = {}) {
    super(options, PACKET_TYPES);
  }
}

/**
 * Decodes `bytes` that must hold exactly one whole packet (a stored record, a test fixture).
 * Throws DecodeError: `DECODE_TRUNCATED` when the packet is incomplete, `DECODE_TRAILING_BYTES` when
 * more follows it, or the decoder's error for malformed bytes. The result's payload is a view into
 * `bytes`.
 *
 * @example
 * ```ts
 * const packet = decodeOnePacket(record, { protocolVersion: 5 });
 * ```
 */
export function decodeOnePacket(bytes: Uint8Array, options: DecoderOptions = {}): Packet {
  const framer = new PacketFramer(options);
  let packet: Packet | undefined;
  let count = 0;
  framer.write(bytes, (p) => {
    packet ??= p;
    count++;
  });
  framer.end();
  if (packet === undefined) throw new DecodeError('DECODE_TRUNCATED', 'no packet in the bytes', bytes.length);
  if (count > 1) throw new DecodeError('DECODE_TRAILING_BYTES', `${count - 1} more packets follow the first`, bytes.length);
  return packet;
}
