// CONTRACT STUB: the codec implementation replaces the body; the signatures are the contract.
import type { Packet, ProtocolVersion } from './packet.js';

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
 */
export class PacketDecoder {
  /** The version in force; a server decoder sets it from CONNECT. May be assigned. */
  protocolVersion: ProtocolVersion | undefined;
  constructor(options: DecoderOptions = {}) {
    this.protocolVersion = options.protocolVersion;
  }
  /** Decodes as many whole packets as `chunk` completes, calling `onPacket` for each in order. */
  write(chunk: Uint8Array, onPacket: (packet: Packet) => void): void {
    void chunk; void onPacket;
    throw new Error('not implemented');
  }
  /** Bytes held while waiting for the rest of a packet. */
  get bufferedBytes(): number {
    return 0;
  }
}
