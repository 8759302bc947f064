/**
 * A broker that costs almost nothing, for measuring clients alone (bench/client.ts). It speaks just
 * enough MQTT 3.1.1: CONNACK, SUBACK, PINGRESP, UNSUBACK, and per role:
 *
 * - `sub`: after SUBACK it streams `count` pre-encoded PUBLISH frames of the given QoS to the
 *   client, with at most `window` unacknowledged at QoS 1/2 (it sends PUBREL for each PUBREC, and a
 *   PUBACK or PUBCOMP lets the next one go). At QoS 0 it writes as fast as the socket drains.
 * - `pub`: it answers each PUBLISH with PUBACK (QoS 1) or PUBREC (QoS 2), each PUBREL with PUBCOMP.
 *
 * Replies produced by one chunk of input go out in one write. Nothing is decoded beyond the fixed
 * header and the packet identifier.
 */
import { createServer, type Socket } from 'node:net';

export type Role = 'sub' | 'pub';
export type QoS = 0 | 1 | 2;

export const BENCH_TOPIC = 'bench/c';
export const PAYLOAD_BYTES = 64;

/** Pre-encoded PUBLISH frames (3.1.1) of BENCH_TOPIC with a 64 B payload, one per packet id 1..ids. */
export function publishFrames(qos: QoS, ids: number): Buffer[] {
  const topic = Buffer.from(BENCH_TOPIC);
  const body = 2 + topic.length + (qos > 0 ? 2 : 0) + PAYLOAD_BYTES;
  const frames: Buffer[] = [];
  for (let id = 1; id <= (qos === 0 ? 1 : ids); id++) {
    const f = Buffer.alloc(2 + body, 0x61);
    f[0] = 0x30 | (qos << 1);
    f[1] = body;
    f.writeUInt16BE(topic.length, 2);
    topic.copy(f, 4);
    if (qos > 0) f.writeUInt16BE(id, 4 + topic.length);
    frames.push(f);
  }
  return frames;
}

const ack = (type: number, id: number): Buffer => Buffer.from([type, 2, id >> 8, id & 0xff]);

/**
 * Splits a byte stream into packets: calls `onPacket(firstByte, id, body, bodyStart)` for each,
 * where `id` is the first two bytes of the body (the packet identifier of acks, SUBSCRIBE).
 */
export function framer(onPacket: (first: number, id: number, body: Buffer, at: number) => void): (chunk: Buffer) => void {
  let rest: Buffer = Buffer.alloc(0);
  return (chunk) => {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      if (buf.length - pos < 2) break;
      let length = 0;
      let shift = 0;
      let i = pos + 1;
      let complete = false;
      while (i < buf.length && i < pos + 5) {
        const b = buf[i++];
        length |= (b & 0x7f) << shift;
        shift += 7;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete || buf.length - i < length) break;
      onPacket(buf[pos], length >= 2 ? buf.readUInt16BE(i) : 0, buf, i);
      pos = i + length;
    }
    rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
  };
}

/** Serves one role on a free port; resolves with the port once listening. */
export function startFakeBroker(role: Role, qos: QoS, count: number, window: number): Promise<number> {
  const frames = publishFrames(qos, 65535);
  const serve = (socket: Socket): void => {
    socket.setNoDelay(true);
    let out: Buffer[] = [];
    let sent = 0;
    let nextId = 0;
    const nextFrame = (): Buffer => {
      sent++;
      if (qos === 0) return frames[0];
      const f = frames[nextId];
      nextId = (nextId + 1) % frames.length;
      return f;
    };
    // QoS 0: as fast as the socket drains, in batches of frames per write.
    const streamQos0 = (): void => {
      while (sent < count) {
        const n = Math.min(512, count - sent);
        const batch = Buffer.allocUnsafe(n * frames[0].length);
        for (let k = 0; k < n; k++) nextFrame().copy(batch, k * frames[0].length);
        if (!socket.write(batch)) {
          socket.once('drain', streamQos0);
          return;
        }
      }
    };
    const onPacket = (first: number, id: number): void => {
      switch (first >> 4) {
        case 1: // CONNECT
          out.push(Buffer.from([0x20, 2, 0, 0]));
          break;
        case 8: // SUBSCRIBE: granted at the benchmark's QoS
          out.push(Buffer.from([0x90, 3, id >> 8, id & 0xff, qos]));
          if (role === 'sub') {
            if (qos === 0) setImmediate(streamQos0);
            else while (sent < count && sent < window) out.push(nextFrame());
          }
          break;
        case 10: // UNSUBSCRIBE
          out.push(ack(0xb0, id));
          break;
        case 12: // PINGREQ
          out.push(Buffer.from([0xd0, 0]));
          break;
        case 3: // PUBLISH at QoS 0 from a publisher: nothing to answer (QoS 1/2 are answered in feed)
          break;
        case 4: // PUBACK from a subscriber
        case 7: // PUBCOMP
          if (sent < count) out.push(nextFrame());
          break;
        case 5: // PUBREC
          out.push(ack(0x62, id));
          break;
        case 6: // PUBREL from a publisher
          out.push(ack(0x70, id));
          break;
        default:
          break;
      }
    };
    const feed = framer((first, id, body, at) => {
      // A PUBLISH's packet identifier follows its topic (length-prefixed).
      if (first >> 4 === 3 && ((first >> 1) & 3) > 0) {
        const topicLength = body.readUInt16BE(at);
        const pid = body.readUInt16BE(at + 2 + topicLength);
        out.push(ack(((first >> 1) & 3) === 1 ? 0x40 : 0x50, pid));
        return;
      }
      onPacket(first, id);
    });
    socket.on('data', (chunk: Buffer) => {
      feed(chunk);
      if (out.length > 0) {
        socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
        out = [];
      }
    });
    socket.on('error', () => undefined);
  };
  const server = createServer(serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}
