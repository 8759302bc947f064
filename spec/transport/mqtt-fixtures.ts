/**
 * Test fixtures: hand-written MQTT packets, annotated field by field from the specification.
 */

/** MQTT 3.1.1 CONNECT, client id "rxmqtt-tcp", clean session, keep alive 60 s (spec 3.1). */
export const CONNECT_311 = Uint8Array.from([
  0x10, // fixed header: packet type 1 (CONNECT), flags 0000 [MQTT-3.1.0-1]
  0x16, // remaining length: 10 (variable header) + 12 (payload) = 22
  0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, // protocol name: length 4, "MQTT" [MQTT-3.1.2-1]
  0x04, // protocol level 4 = 3.1.1 [MQTT-3.1.2-2]
  0x02, // connect flags: clean session (bit 1); reserved bit 0 is 0 [MQTT-3.1.2-3]
  0x00, 0x3c, // keep alive: 60 seconds
  0x00, 0x0a, 0x72, 0x78, 0x6d, 0x71, 0x74, 0x74, 0x2d, 0x74, 0x63, 0x70, // client id: length 10, "rxmqtt-tcp"
]);

/** MQTT 5.0 CONNECT, client id "rxmqtt-tcp", clean start, keep alive 60 s, no properties (spec 3.1). */
export const CONNECT_5 = Uint8Array.from([
  0x10, // fixed header: packet type 1 (CONNECT), flags 0000 [MQTT-3.1.0-1]
  0x17, // remaining length: 11 (variable header) + 12 (payload) = 23
  0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, // protocol name: length 4, "MQTT" [MQTT-3.1.2-1]
  0x05, // protocol version 5
  0x02, // connect flags: clean start (bit 1); reserved bit 0 is 0 [MQTT-3.1.2-3]
  0x00, 0x3c, // keep alive: 60 seconds
  0x00, // property length 0: no properties
  0x00, 0x0a, 0x72, 0x78, 0x6d, 0x71, 0x74, 0x74, 0x2d, 0x74, 0x63, 0x70, // client id: length 10, "rxmqtt-tcp"
]);

/** The CONNACK a 3.1.1 broker answers it with (spec 3.2). */
export const CONNACK_311_ACCEPTED = [
  0x20, // fixed header: packet type 2 (CONNACK), flags 0000
  0x02, // remaining length 2
  0x00, // connect acknowledge flags: session present 0 (clean session) [MQTT-3.2.2-1]
  0x00, // connect return code 0: connection accepted
];

/** DISCONNECT (spec 3.14): the server closes the connection after it. */
export const DISCONNECT = Uint8Array.from([0xe0, 0x00]);

/** The Variable Byte Integer encoding of a remaining length (spec 2.2.3 / 1.5.5). */
export function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80; // continuation bit
    out.push(byte);
  } while (n > 0);
  return out;
}

/** A QoS 0 PUBLISH in MQTT 3.1.1 (spec 3.3): no packet identifier at QoS 0 [MQTT-2.3.1-5]. */
export function publish311(topic: string, payload: Uint8Array, retain: boolean): Uint8Array {
  const name = new TextEncoder().encode(topic);
  const body = [name.length >> 8, name.length & 0xff, ...name, ...payload];
  return Uint8Array.from([
    0x30 | (retain ? 0x01 : 0x00), // type 3 (PUBLISH), DUP 0, QoS 00, RETAIN bit 0
    ...remainingLength(body.length),
    ...body,
  ]);
}

/** MQTT 3.1.1 SUBSCRIBE, packet id 1, one filter at QoS 0 (spec 3.8). */
export function subscribe311(filter: string): Uint8Array {
  const name = new TextEncoder().encode(filter);
  const body = [
    0x00, 0x01, // packet identifier 1
    name.length >> 8, name.length & 0xff, ...name, // topic filter
    0x00, // requested QoS 0
  ];
  return Uint8Array.from([
    0x82, // type 8 (SUBSCRIBE), flags 0010 [MQTT-3.8.1-1]
    ...remainingLength(body.length),
    ...body,
  ]);
}

/** The SUBACK for {@link subscribe311}: packet id 1, granted QoS 0 (spec 3.9). */
export const SUBACK_311_QOS0 = [0x90, 0x03, 0x00, 0x01, 0x00];

/**
 * Splits a byte stream into whole packets by the fixed header (type byte + remaining length), and
 * returns them with the bytes left over. Independent of the library's decoder on purpose.
 */
export function splitPackets(stream: Uint8Array): { packets: Uint8Array[]; rest: Uint8Array } {
  const packets: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    let length = 0;
    let multiplier = 1;
    let index = offset + 1;
    let complete = false;
    while (index < stream.length) {
      const byte = stream[index++]!;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        complete = true;
        break;
      }
    }
    if (!complete || index + length > stream.length) break;
    packets.push(stream.subarray(offset, index + length));
    offset = index + length;
  }
  return { packets, rest: stream.subarray(offset) };
}

/** Topic and payload of a QoS 0 PUBLISH produced by {@link publish311} (or a broker). */
export function readPublish311(packet: Uint8Array): { topic: string; payload: Uint8Array; retain: boolean } {
  const { packets } = splitPackets(packet);
  if (packets.length !== 1 || (packet[0]! & 0xf0) !== 0x30) throw new Error('not one PUBLISH packet');
  let index = 1;
  while (packet[index++]! & 0x80);
  const length = (packet[index]! << 8) | packet[index + 1]!;
  const topic = new TextDecoder().decode(packet.subarray(index + 2, index + 2 + length));
  return { topic, payload: packet.subarray(index + 2 + length), retain: (packet[0]! & 0x01) === 1 };
}
