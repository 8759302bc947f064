import type { OperatorFunction } from 'rxjs';
import { encode, type EncodeOptions } from '../codec/encode.js';
import type { Packet } from '../codec/packet.js';
import { createOperatorSubscriber, operate } from './operate.js';
import { assertMaximumPacketSize, assertOptionsObject, assertProtocolVersion } from './validate-options.js';

/**
 * Turns a stream of MQTT packets into a stream of encoded byte buffers, one new `Uint8Array` per
 * packet, ready to be handed to a transport's `send`.
 *
 * - Cold, like the source: subscribing subscribes to the source and sends nothing by itself;
 *   unsubscribing unsubscribes from the source.
 * - Errors with the {@link EncodeError} raised for the first packet that cannot be encoded (its
 *   `field` names the offending field) and unsubscribes from the source; nothing is emitted for
 *   that packet. A packet larger than `maximumPacketSize` fails with code `ENCODE_PACKET_TOO_LARGE`.
 * - Completes when the source completes; errors of the source are passed on unchanged.
 * - Throws {@link InvalidArgumentError} at once when `options` is invalid (protocol version not 4
 *   or 5; maximum packet size not an integer of at least 2).
 *
 * @example
 * ```ts
 * packets$
 *   .pipe(encodePackets({ protocolVersion: 4 }))
 *   .subscribe((bytes) => transport.send(bytes));
 * ```
 */
export function encodePackets(options: EncodeOptions): OperatorFunction<Packet, Uint8Array> {
  assertOptionsObject(options, 'options', false);
  assertProtocolVersion(options.protocolVersion, 'options.protocolVersion', false);
  assertMaximumPacketSize(options.maximumPacketSize, 'options.maximumPacketSize');
  const encodeOptions: EncodeOptions =
    options.maximumPacketSize === undefined
      ? { protocolVersion: options.protocolVersion }
      : { protocolVersion: options.protocolVersion, maximumPacketSize: options.maximumPacketSize };

  return operate<Packet, Uint8Array>((source, subscriber) => {
    source.subscribe(
      // A throw of encode (an EncodeError) errors the stream before anything is emitted for the packet.
      createOperatorSubscriber<Packet>(subscriber, { next: (packet) => subscriber.next(encode(packet, encodeOptions)) }),
    );
  });
}
