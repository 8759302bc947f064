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

/** The CONNACK a 3.1.1 broker answers it with (spec 3.2). */
export const CONNACK_311_ACCEPTED = [
  0x20, // fixed header: packet type 2 (CONNACK), flags 0000
  0x02, // remaining length 2
  0x00, // connect acknowledge flags: session present 0 (clean session) [MQTT-3.2.2-1]
  0x00, // connect return code 0: connection accepted
];

/** DISCONNECT (spec 3.14): the server closes the connection after it. */
export const DISCONNECT = Uint8Array.from([0xe0, 0x00]);
