/**
 * Codec benchmark: rxmqtt's encode/PacketDecoder against mqtt-packet's generate/parser, in the same
 * process, on the same packets and the same bytes.
 *
 * Run: `npm run bench:codec` (optionally `-- --quick` for a short smoke run, `-- --json` to also
 * print the raw figures as JSON, `-- --filter=64 B` to run only the cases whose name holds the text,
 * `-- --wall` to time with elapsed rather than CPU time).
 *
 * - Encode: each codec turns every packet of the case into one complete byte buffer.
 * - Decode: each codec parses the same stream buffer, fed as the same 64 KiB chunks a socket would
 *   deliver; rxmqtt calls back per packet, mqtt-packet emits a 'packet' event per packet.
 * Both sides count packets; figures are packets per second (median of several timed rounds after a
 * warm-up), with the ours/theirs ratio.
 */
import * as mqttPacket from 'mqtt-packet';
import { encode } from '../lib/codec/encode.js';
import { PacketDecoder } from '../lib/codec/decoder.js';
import type { Packet, ProtocolVersion } from '../lib/codec/packet.js';
import { consume, formatBytes, formatRate, measurePair, type MeasureOptions } from './util/measure.js';
import { formatRatio, printTable } from './util/table.js';
import { toMqttPacket } from './util/to-mqtt-packet.js';

const args = new Set(process.argv.slice(2));
/** `--filter=1 KiB` runs only the cases whose name contains the text (handy with `node --cpu-prof`). */
const filter = process.argv.find((a) => a.startsWith('--filter='))?.slice('--filter='.length);
// CPU time, not elapsed time: the work is synchronous, and on a shared machine elapsed time mostly
// measures how much of a core the scheduler gave us. `--wall` switches to elapsed time.
const timing: MeasureOptions = {
  ...(args.has('--quick') ? { warmupMs: 50, rounds: 3, roundMs: 50 } : { warmupMs: 400, rounds: 9, roundMs: 250 }),
  clock: args.has('--wall') ? 'wall' : 'cpu',
};
const CHUNK = 64 * 1024;

interface Case {
  readonly name: string;
  readonly version: ProtocolVersion;
  readonly packets: readonly Packet[];
}

function payload(size: number): Uint8Array {
  const p = new Uint8Array(size);
  for (let i = 0; i < size; i++) p[i] = (i * 31 + 7) & 0xff;
  return p;
}

function publishCase(size: number, version: ProtocolVersion): Case {
  const count = Math.max(16, Math.min(2000, Math.floor((4 << 20) / (size + 32))));
  const data = payload(size);
  const packets: Packet[] = [];
  for (let i = 0; i < count; i++) {
    packets.push({ type: 'publish', topic: 'sensors/building-1/floor-3/temperature', payload: data, qos: 1, retain: false, dup: false, packetId: (i % 65535) + 1 });
  }
  return { name: `PUBLISH QoS 1, ${formatBytes(size)}`, version, packets };
}

function mixedCase(version: ProtocolVersion): Case {
  const v5 = version === 5;
  const up = v5 ? { properties: { userProperties: [['trace', 'abc123'] as const] } } : {};
  const rc = (code: number) => (v5 ? { reasonCode: code } : {});
  const one: Packet[] = [
    { type: 'connect', protocolVersion: version, clientId: 'bench-client-0001', cleanStart: true, keepAlive: 30, username: 'user', password: payload(8),
      will: { topic: 'clients/bench/status', payload: payload(7), qos: 1, retain: true } },
    { type: 'connack', sessionPresent: false, reasonCode: 0, ...(v5 ? { properties: { topicAliasMaximum: 10, receiveMaximum: 100 } } : {}) },
    { type: 'subscribe', packetId: 1, subscriptions: [
      { topicFilter: 'sensors/+/temperature', qos: 1, ...(v5 ? { noLocal: false, retainAsPublished: false, retainHandling: 0 } : {}) },
      { topicFilter: 'alerts/#', qos: 2, ...(v5 ? { noLocal: true, retainAsPublished: false, retainHandling: 1 } : {}) }] },
    { type: 'suback', packetId: 1, reasonCodes: [1, 2] },
    { type: 'publish', topic: 'sensors/a/temperature', payload: payload(24), qos: 0, retain: false, dup: false },
    { type: 'publish', topic: 'sensors/b/temperature', payload: payload(64), qos: 1, retain: false, dup: false, packetId: 2, ...(v5 ? { properties: { messageExpiryInterval: 60, contentType: 'application/json' } } : {}) },
    { type: 'puback', packetId: 2, ...rc(0) },
    { type: 'publish', topic: 'alerts/fire', payload: payload(200), qos: 2, retain: true, dup: false, packetId: 3, ...up },
    { type: 'pubrec', packetId: 3, ...rc(0) },
    { type: 'pubrel', packetId: 3, ...rc(0) },
    { type: 'pubcomp', packetId: 3, ...rc(0) },
    { type: 'unsubscribe', packetId: 4, topicFilters: ['alerts/#'] },
    { type: 'unsuback', packetId: 4, ...(v5 ? { reasonCodes: [0] } : {}) },
    { type: 'pingreq' },
    { type: 'pingresp' },
    // 5.0: with a property, both codecs write the long form. (mqtt-packet 9 misreads the short forms
    // of a 5.0 DISCONNECT when more bytes follow it in the same buffer.)
    { type: 'disconnect', ...(v5 ? { reasonCode: 0, properties: { reasonString: 'bye' } } : {}) },
  ];
  const packets: Packet[] = [];
  for (let i = 0; i < 100; i++) packets.push(...one);
  return { name: `mixed stream (${one.length} types)`, version, packets };
}

function concat(parts: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

interface Row { readonly case: string; readonly version: ProtocolVersion; readonly op: 'encode' | 'decode'; readonly ours: number; readonly theirs: number }

function run(c: Case): Row[] {
  if (filter !== undefined && !c.name.includes(filter)) return [];
  const opts = { protocolVersion: c.version };
  const theirPackets = c.packets.map((p) => toMqttPacket(p) as unknown as mqttPacket.Packet);

  // The same stream bytes for both decoders; sanity checks that both codecs agree on them.
  const stream = concat(c.packets.map((p) => encode(p, opts)));
  const theirStream = concat(theirPackets.map((p) => mqttPacket.generate(p, opts)));
  if (stream.length !== theirStream.length) console.warn(`  note: ${c.name} v${c.version}: encodings differ in length (${stream.length} vs ${theirStream.length})`);
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += CHUNK) chunks.push(stream.subarray(at, Math.min(at + CHUNK, stream.length)));

  let seen = 0;
  const onPacket = (p: Packet | mqttPacket.Packet): void => { seen++; consume(p); };
  const parser = mqttPacket.parser(opts);
  parser.on('packet', onPacket);
  parser.on('error', (e: Error) => { throw e; });
  const decodeOurs = (): number => {
    const decoder = new PacketDecoder(opts);
    for (const chunk of chunks) decoder.write(chunk, onPacket);
    return c.packets.length;
  };
  const decodeTheirs = (): number => {
    for (const chunk of chunks) parser.parse(chunk);
    return c.packets.length;
  };
  for (const [name, decodeOnce] of [['ours', decodeOurs], ['mqtt-packet', decodeTheirs]] as const) {
    seen = 0;
    decodeOnce();
    if (seen !== c.packets.length) throw new Error(`${name} decoded ${seen} of ${c.packets.length} packets in ${c.name}`);
  }

  const encodeOurs = (): number => {
    for (const p of c.packets) consume(encode(p, opts));
    return c.packets.length;
  };
  const encodeTheirs = (): number => {
    for (const p of theirPackets) consume(mqttPacket.generate(p, opts));
    return c.packets.length;
  };

  const [encOurs, encTheirs] = measurePair(encodeOurs, encodeTheirs, timing);
  const [decOurs, decTheirs] = measurePair(decodeOurs, decodeTheirs, timing);
  return [
    { case: c.name, version: c.version, op: 'encode', ours: encOurs.median, theirs: encTheirs.median },
    { case: c.name, version: c.version, op: 'decode', ours: decOurs.median, theirs: decTheirs.median },
  ];
}

function main(): void {
  console.log(`rxmqtt codec vs mqtt-packet: Node ${process.version}, ${process.platform}/${process.arch}, packets per ${timing.clock} second (median)\n`);
  const rows: Row[] = [];
  for (const version of [4, 5] as const) {
    for (const size of [16, 64, 1024, 64 * 1024]) rows.push(...run(publishCase(size, version)));
    rows.push(...run(mixedCase(version)));
  }
  printTable(
    ['case', 'MQTT', 'op', 'rxmqtt', 'mqtt-packet', 'ours/theirs'],
    rows.map((r) => [r.case, r.version === 4 ? '3.1.1' : '5.0', r.op, formatRate(r.ours), formatRate(r.theirs), formatRatio(r.ours, r.theirs)]),
    ['left', 'left', 'left', 'right', 'right', 'right'],
  );
  if (args.has('--json')) console.log(JSON.stringify(rows, null, 2));
}

main();
