import type { Packet, ProtocolVersion } from './packet.js';
import { FrameDecoder } from './frame-decoder.js';
import { PACKET_TYPES } from './packet-types.js';

export { MAX_PACKET_SIZE } from './frame-decoder.js';

/** Options of {@link PacketDecoder}. */
export interface DecoderOptions {
  /**
   * The protocol version to expect. When undefined (a server), the first packet must be CONNECT and
   * its protocol level (4 or 5) is adopted for the rest of the stream.
   */
  readonly protocolVersion?: ProtocolVersion;
  /** Largest packet accepted, in bytes (whole packet, fixed header included). Default 268 435 460. */
  readonly maximumPacketSize?: number;
}

/**
 * A stateful streaming decoder: feed it chunks of any size, it calls back with whole packets.
 * Throws {@link DecodeError} on malformed input; after an error it stays failed (every later write
 * throws the same error) because the byte stream can no longer be framed.
 *
 * A packet that lies whole inside a chunk is decoded in place: its payload and binary fields are
 * views into that chunk (so do not reuse a chunk's memory after writing it). Only the incomplete tail
 * of a chunk is copied, into a buffer that grows up to the announced packet size, which was checked
 * against `maximumPacketSize` as soon as the fixed header was read.
 *
 * @example
 * ```ts
 * const decoder = new PacketDecoder({ protocolVersion: 5, maximumPacketSize: 1 << 20 });
 * socket.on('data', (chunk) => {
 *   try { decoder.write(chunk, (packet) => handle(packet)); }
 *   catch (e) { if (e instanceof DecodeError) socket.destroy(); }
 * });
 * ```
 */
export class PacketDecoder {
  // The work is done by a FrameDecoder over the full packet table; the client uses one over its own.
  private readonly frames: FrameDecoder;

  /** Throws InvalidArgumentError for a protocol version other than 4, 5 or undefined, or a maximum packet size below 2. */
  constructor(options: DecoderOptions = {}) {
    this.frames = new FrameDecoder(options, PACKET_TYPES);
  }

  /** The version in force; a server decoder sets it from CONNECT. May be assigned. */
  get protocolVersion(): ProtocolVersion | undefined {
    return this.frames.protocolVersion;
  }

  /** Sets the version in force (a server that read CONNECT elsewhere). */
  set protocolVersion(version: ProtocolVersion | undefined) {
    this.frames.protocolVersion = version;
  }

  /** Largest packet accepted, fixed header included. */
  get maximumPacketSize(): number {
    return this.frames.maximumPacketSize;
  }

  /** Bytes held while waiting for the rest of a packet. */
  get bufferedBytes(): number {
    return this.frames.bufferedBytes;
  }

  /** Decodes as many whole packets as `chunk` completes, calling `onPacket` for each in order. */
  write(chunk: Uint8Array, onPacket: (packet: Packet) => void): void {
    this.frames.write(chunk, onPacket);
  }
}
