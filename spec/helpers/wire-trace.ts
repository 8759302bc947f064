/**
 * Test harness: decodes a fault-proxy trace (both hops of every link) into packets with times, so a
 * test can show the packet sequence behind a failure, for example the one that produced a duplicate.
 */
import { PacketDecoder } from '../../lib/codec/decoder.js';
import type { Packet } from '../../lib/codec/packet.js';
import type { WireRecord } from './fault-proxy.js';

/** One decoded packet of a traced link. `passed`: the proxy passed all of its bytes on. */
export interface TracedPacket {
  readonly t: number;
  readonly link: number;
  readonly from: 'client' | 'broker';
  readonly packet: Packet;
  readonly passed: boolean;
}

/** A traced link: the client id of its CONNECT, its packets in time order, and when it ended. */
export interface TracedLink {
  readonly link: number;
  readonly clientId: string;
  readonly opened: number;
  readonly cutAt?: number;
  readonly packets: TracedPacket[];
}

/** Decodes every link of `records`. Bytes after a malformed or cut-off packet are ignored. */
export function decodeTrace(records: readonly WireRecord[]): Map<number, TracedLink> {
  const links = new Map<number, { link: number; clientId: string; opened: number; cutAt?: number; packets: TracedPacket[]; up: PacketDecoder; down: PacketDecoder; broken: Set<string> }>();
  const get = (id: number, t: number) => {
    let l = links.get(id);
    if (l === undefined) {
      l = { link: id, clientId: '?', opened: t, packets: [], up: new PacketDecoder(), down: new PacketDecoder({ protocolVersion: 4 }), broken: new Set() };
      links.set(id, l);
    }
    return l;
  };
  for (const r of records) {
    if (r.kind === 'open') get(r.link, r.t);
    else if (r.kind === 'cut') for (const id of r.links) get(id, r.t).cutAt ??= r.t;
    else if (r.kind === 'chunk') {
      const l = get(r.link, r.t);
      if (l.broken.has(r.from)) continue;
      const decoder = r.from === 'client' ? l.up : l.down;
      const push = (passed: boolean) => (packet: Packet) => {
        if (packet.type === 'connect') {
          l.clientId = packet.clientId;
          l.down.protocolVersion = packet.protocolVersion;
        }
        l.packets.push({ t: r.t, link: r.link, from: r.from, packet, passed });
      };
      try {
        if (r.forwarded > 0) decoder.write(r.bytes.subarray(0, r.forwarded), push(true));
        if (r.forwarded < r.bytes.length) decoder.write(r.bytes.subarray(r.forwarded), push(false));
      } catch {
        l.broken.add(r.from);
      }
    }
  }
  const out = new Map<number, TracedLink>();
  for (const [id, l] of links) out.set(id, { link: id, clientId: l.clientId, opened: l.opened, cutAt: l.cutAt, packets: l.packets });
  return out;
}

/** A packet in one line: `12.345 L3 broker> PUBLISH id=7 q2 dup "42"` (`(lost)` when not passed on). */
export function formatPacket(p: TracedPacket, t0 = 0): string {
  const k = p.packet;
  const parts: string[] = [`${(p.t - t0).toFixed(1).padStart(8)}ms L${p.link} ${p.from === 'client' ? 'client>' : 'broker>'} ${k.type.toUpperCase()}`];
  if ('packetId' in k && k.packetId !== undefined) parts.push(`id=${k.packetId}`);
  if (k.type === 'publish') {
    parts.push(`q${k.qos}${k.dup ? ' dup' : ''}`);
    parts.push(JSON.stringify(new TextDecoder().decode(k.payload)));
  }
  if ('reasonCode' in k && k.reasonCode !== undefined && k.reasonCode !== 0) parts.push(`rc=0x${k.reasonCode.toString(16)}`);
  if (k.type === 'connect') parts.push(`${k.clientId} cleanStart=${k.cleanStart}`);
  if (k.type === 'connack') parts.push(`sessionPresent=${k.sessionPresent}`);
  if (!p.passed) parts.push('(not passed on)');
  return parts.join(' ');
}

const payloadText = (p: Packet): string | undefined => (p.type === 'publish' ? new TextDecoder().decode(p.payload) : undefined);

/**
 * The story of one message (by payload text) on the links of clients whose id starts with
 * `clientPrefix`: each PUBLISH carrying it, then every packet with the same identifier on that link
 * and the following links of the same client, up to the identifier's next PUBLISH with another
 * payload. Cuts and reconnects are shown in between.
 */
export function messageStory(links: Map<number, TracedLink>, clientPrefix: string, payload: string, t0 = 0): string[] {
  const ordered = [...links.values()].filter((l) => l.clientId.startsWith(clientPrefix)).sort((a, b) => a.opened - b.opened);
  const lines: string[] = [];
  const ids = new Set<number>();
  for (const l of ordered) for (const p of l.packets) if (p.packet.type === 'publish' && payloadText(p.packet) === payload && p.packet.packetId !== undefined) ids.add(p.packet.packetId);
  for (const id of ids) {
    lines.push(`== packet id ${id}`);
    let active = false;
    for (const l of ordered) {
      const shown: string[] = [];
      const connack = l.packets.find((p) => p.packet.type === 'connack');
      for (const p of l.packets) {
        const k = p.packet;
        if (!('packetId' in k) || k.packetId !== id) continue;
        if (k.type === 'publish') active = payloadText(k) === payload;
        if (active) shown.push(formatPacket(p, t0));
      }
      if (shown.length > 0 || active) {
        const cut = l.cutAt !== undefined ? `, cut at ${(l.cutAt - t0).toFixed(1)}ms` : '';
        lines.push(`-- L${l.link} ${l.clientId} opened ${(l.opened - t0).toFixed(1)}ms${cut}`);
        if (connack !== undefined) lines.push(formatPacket(connack, t0));
        lines.push(...shown);
      }
    }
  }
  return lines;
}

/** Why the broker's side of a trace delivered a message twice. */
export interface BrokerFault {
  /** The broker sent PUBLISH again for an identifier whose PUBREL it had already sent. */
  readonly cause: 'publish-after-pubrel';
  readonly packetId: number;
  /** The link of the PUBREL and the link of the PUBLISH that followed it. */
  readonly pubrelLink: number;
  readonly publishLink: number;
}

/**
 * Looks for the broker breaking QoS 2 on the links of the client whose id starts with
 * `clientPrefix`, for the message with this payload: a PUBLISH of it sent after the broker had sent
 * PUBREL for the same identifier [MQTT-4.3.3-6] (5.0) [MQTT-4.3.3-1] (3.1.1). The receiver released
 * the identifier when it answered that PUBREL, so it must take the PUBLISH as a new message
 * [MQTT-4.3.3-12]. Returns undefined when the trace shows no such fault.
 */
export function brokerFaultFor(links: Map<number, TracedLink>, clientPrefix: string, payload: string): BrokerFault | undefined {
  const ordered = [...links.values()].filter((l) => l.clientId.startsWith(clientPrefix)).sort((a, b) => a.opened - b.opened);
  // Identifier -> link of the PUBREL the broker sent for this message.
  const released = new Map<number, number>();
  const current = new Map<number, boolean>(); // identifier -> does it carry this message now
  for (const l of ordered) {
    for (const p of l.packets) {
      if (p.from !== 'broker') continue;
      const k = p.packet;
      if (k.type === 'publish' && k.packetId !== undefined) {
        const ours = payloadText(k) === payload;
        const pubrelLink = released.get(k.packetId);
        if (ours && pubrelLink !== undefined) return { cause: 'publish-after-pubrel', packetId: k.packetId, pubrelLink, publishLink: l.link };
        current.set(k.packetId, ours);
        released.delete(k.packetId);
      } else if (k.type === 'pubrel' && current.get(k.packetId) === true) {
        released.set(k.packetId, l.link);
      }
    }
  }
  return undefined;
}
