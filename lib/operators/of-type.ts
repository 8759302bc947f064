import { filter, type OperatorFunction } from 'rxjs';
import type { Packet, PacketOfType, PacketType } from '../codec/packet.js';
import { InvalidArgumentError } from '../errors.js';

/** Every packet type name; typed as a record so that a new packet type must be added here. */
const KNOWN_TYPES: Readonly<Record<PacketType, true>> = {
  connect: true, connack: true, publish: true, puback: true, pubrec: true, pubrel: true, pubcomp: true,
  subscribe: true, suback: true, unsubscribe: true, unsuback: true, pingreq: true, pingresp: true,
  disconnect: true, auth: true,
};

/**
 * Lets through only the packets of the given types, narrowing the packet union accordingly.
 *
 * Stateless and as cold as its source: subscribing subscribes to the source, unsubscribing
 * unsubscribes from it; nothing is sent. Completion and errors of the source pass through.
 * Throws {@link InvalidArgumentError} at once when no type is given or a name is not a packet type.
 *
 * @example
 * ```ts
 * packets$.pipe(ofType('puback', 'pubrec')).subscribe((ack) => console.log(ack.packetId));
 * ```
 */
export function ofType<T extends PacketType>(...types: [T, ...T[]]): OperatorFunction<Packet, PacketOfType<T>> {
  if (types.length === 0) throw new InvalidArgumentError('types', 'give at least one packet type');
  for (const type of types) {
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(KNOWN_TYPES, type)) {
      throw new InvalidArgumentError('types', `'${String(type)}' is not a packet type (expected one of ${Object.keys(KNOWN_TYPES).join(', ')})`);
    }
  }
  if (types.length === 1) {
    const only = types[0];
    return filter((packet: Packet): packet is PacketOfType<T> => packet.type === only);
  }
  const wanted = new Set<PacketType>(types);
  return filter((packet: Packet): packet is PacketOfType<T> => wanted.has(packet.type));
}
