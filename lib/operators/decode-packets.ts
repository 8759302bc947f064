import type { OperatorFunction } from 'rxjs';
import type { DecoderOptions } from '../codec/decoder.js';
import type { DecodeError, InvalidArgumentError } from '../errors.js';
import type { Packet } from '../codec/packet.js';
import { createOperatorSubscriber, operate } from './operate.js';
import { TableFramer } from './packet-framer.js';
import { PACKET_TYPES, type PacketCodeTable } from '../codec/packet-types.js';
import { assertMaximumPacketSize, assertOptionsObject, assertProtocolVersion } from './validate-options.js';

/**
 * Turns a stream of byte chunks (as received from a transport) into a stream of MQTT packets.
 *
 * Chunk boundaries mean nothing: a packet may be split over several chunks and one chunk may hold
 * several packets. Packets are emitted in order, synchronously as the chunk that completes them
 * arrives. Payloads are views into the received chunks, not copies.
 *
 * - Cold, like the source: each subscription subscribes to the source and gets its own decoder, so
 *   two subscribers never share framing state. Subscribing sends nothing; unsubscribing
 *   unsubscribes from the source.
 * - Errors with a {@link DecodeError} (and unsubscribes from the source) as soon as the bytes are
 *   malformed; the packets completed before the bad bytes are emitted first.
 * - Completes when the source completes. If the source completes in the middle of a packet, it
 *   errors instead with a DecodeError whose `code` is `DECODE_TRUNCATED`.
 * - Errors of the source are passed on unchanged.
 * - Throws {@link InvalidArgumentError} at once when `options` is invalid (protocol version not 4,
 *   5 or undefined; maximum packet size not an integer of at least 2).
 *
 * With `protocolVersion` undefined (a server), the first packet must be CONNECT and its protocol
 * level is adopted for the rest of the stream.
 *
 * @example
 * ```ts
 * transport.incoming
 *   .pipe(decodePackets({ protocolVersion: 5, maximumPacketSize: 1 << 20 }))
 *   .subscribe((packet) => console.log(packet.type));
 * ```
 */
export function decodePackets(options: DecoderOptions = {}): OperatorFunction<Uint8Array, Packet> {
  assertOptionsObject(options, 'options', true);
  assertProtocolVersion(options.protocolVersion, 'options.protocolVersion', true);
  assertMaximumPacketSize(options.maximumPacketSize, 'options.maximumPacketSize');
  return decodePacketsWith(options, PACKET_TYPES);
}

/**
 * {@link decodePackets} through the given packet table: the client's channel passes its own
 * (client-packet-types.ts), so that a client bundle does not carry the full table. The options are
 * checked by the decoder when a subscription starts (an InvalidArgumentError then errors the stream),
 * not up front: the client validated them already (buildConnectPacket).
 */
export function decodePacketsWith(options: DecoderOptions, types: PacketCodeTable): OperatorFunction<Uint8Array, Packet> {
  // Snapshot, so that later changes to the caller's object do not leak into running streams.
  const decoderOptions: DecoderOptions = {
    protocolVersion: options.protocolVersion,
    maximumPacketSize: options.maximumPacketSize,
  };

  return operate<Uint8Array, Packet>((source, subscriber) => {
    const framer = new TableFramer(decoderOptions, types);
    // One callback per subscription, reused for every packet.
    const emit = (packet: Packet): void => subscriber.next(packet);
    source.subscribe(
      createOperatorSubscriber<Uint8Array>(subscriber, {
        // A throw (a DecodeError: the byte stream can no longer be framed) errors the stream.
        next: (chunk) => framer.write(chunk, emit),
        complete() {
          framer.end(); // DECODE_TRUNCATED when the source stopped inside a packet
          subscriber.complete();
        },
      }),
    );
  });
}
