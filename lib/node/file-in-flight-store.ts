import { encode } from '../codec/encode.js';
import type { Packet } from '../codec/packet.js';
import { InvalidArgumentError, StoreCorruptError } from '../errors.js';
import { decodeOnePacket } from '../operators/packet-framer.js';
import type { InFlightStore, OutboundEntry, OutboundState } from '../session/in-flight-store.js';
import { AppendLog, frameRecord as frame, type AppendLogFormat } from './append-log.js';

/** Options of {@link FileInFlightStore}. */
export interface FileInFlightStoreOptions {
  /**
   * Flush every record to the disk (`fsync`) before the call returns, so that the state survives a
   * power failure, not only a crash of the process. Costs one disk flush per QoS 1/2 step
   * (milliseconds on many disks). Default false: each record is written to the operating system
   * before the call returns, which survives the process being killed.
   */
  readonly fsync?: boolean;
  /** Rewrite the file once it holds at least this many records and more than half are obsolete. Default 10 000. */
  readonly compactAfter?: number;
}

const MAGIC = new Uint8Array([0x52, 0x58, 0x4d, 0x51, 0x49, 0x46, 0x53, 0x01]); // "RXMQIFS" + format 1
const OP_PUT = 1; // state u8, PUBLISH encoded as MQTT 5
const OP_STATE = 2; // packet id u16, state u8
const OP_DELETE_OUTBOUND = 3; // packet id u16
const OP_ADD_INBOUND = 4; // packet id u16
const OP_DELETE_INBOUND = 5; // packet id u16
const OP_CLEAR = 6;
const STATE_PUBREL = 1; // stateCode('pubrel')

const FORMAT: AppendLogFormat = { magic: MAGIC, kind: 'in-flight store' };

/**
 * A durable {@link InFlightStore} in one file: outbound QoS 1/2 messages with their state, and the
 * identifiers of inbound QoS 2 messages not yet released. With it, a process that dies in the middle
 * of a flow (for example between PUBREC and PUBCOMP) and starts again with the same file and client
 * id (and `clean: false`) finishes the flow and delivers nothing twice.
 *
 * The file is an append-only log of small records, each framed by its length and a CRC-32, replayed
 * when the store is constructed and rewritten (new file, then rename) when mostly obsolete. Every
 * method that changes the state writes synchronously before it returns (one small `write`, plus an
 * `fsync` with `fsync: true`), because {@link InFlightStore} is synchronous; reads are from memory.
 *
 * Recovery: a torn last record (the process died while writing it) is cut off and reported in
 * {@link truncatedBytes}. Any other damage throws {@link StoreCorruptError} with code
 * `STORE_CORRUPT` and the byte offset; a file that is not a store throws code `STORE_WRONG_FILE`.
 * Write failures throw StoreError `STORE_IO`; writes after {@link close} throw `STORE_CLOSED`.
 * Use one store per client id, and one process per file.
 *
 * @example
 * ```ts
 * import { connect, FileInFlightStore } from 'rxmqtt/node';
 * const store = new FileInFlightStore('/var/lib/sensor-1.inflight');
 * const client = connect('mqtt://broker:1883', { clientId: 'sensor-1', clean: false, store });
 * ```
 */
export class FileInFlightStore implements InFlightStore {
  /** Bytes of a torn last record cut off when the file was opened (0 when it was intact). */
  readonly truncatedBytes: number;
  private readonly outboundEntries = new Map<number, OutboundEntry>();
  private readonly inboundIds = new Set<number>();
  private readonly fsync: boolean;
  private readonly compactAfter: number;
  private readonly log: AppendLog;

  /**
   * Opens (or creates) the store at `path`. Throws InvalidArgumentError, StoreCorruptError or StoreError.
   *
   * @param path - The store file (created with its directory's permissions when missing).
   */
  constructor(
    readonly path: string,
    options: FileInFlightStoreOptions = {},
  ) {
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('path', 'expected a non-empty file path');
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { fsync?, compactAfter? }');
    if (options.fsync !== undefined && typeof options.fsync !== 'boolean') throw new InvalidArgumentError('options.fsync', 'expected a boolean');
    const compactAfter = options.compactAfter ?? 10_000;
    if (!(Number.isInteger(compactAfter) && compactAfter >= 1)) {
      throw new InvalidArgumentError('options.compactAfter', `must be a positive integer, got ${String(compactAfter)}`);
    }
    this.fsync = options.fsync ?? false;
    this.compactAfter = compactAfter;
    this.log = new AppendLog(path, FORMAT, this.fsync, (body, offset) => this.apply(body, offset));
    this.truncatedBytes = this.log.truncatedBytes;
    this.compactIfWorthIt();
  }

  putOutbound(entry: OutboundEntry): void {
    const packet = entry?.packet;
    const id = packet?.packetId;
    if (id === undefined) return;
    const state = stateCode(entry.state);
    const existing = this.outboundEntries.get(id);
    // Only the state moved on: a 3-byte record instead of the whole PUBLISH again. That is the case
    // for the same packet object, and for any move of a stored message to `pubrel` (PUBREC
    // received): from then on only its identifier matters (PUBREL carries nothing else), so the
    // payload already in the log is kept whatever packet object the caller passes.
    if (existing !== undefined && (existing.packet === packet || state === STATE_PUBREL)) {
      this.append(OP_STATE, idAndState(id, state));
    } else {
      const encoded = encode(packet, { protocolVersion: 5 });
      const body = new Uint8Array(1 + encoded.length);
      body[0] = state;
      body.set(encoded, 1);
      this.append(OP_PUT, body);
    }
    this.outboundEntries.set(id, entry);
  }

  /** The entry of `packetId`, or undefined (read from memory; the file is written through). */
  getOutbound(packetId: number): OutboundEntry | undefined {
    return this.outboundEntries.get(packetId);
  }

  deleteOutbound(packetId: number): boolean {
    if (!this.outboundEntries.has(packetId)) return false;
    this.append(OP_DELETE_OUTBOUND, idBytes(packetId));
    this.outboundEntries.delete(packetId);
    this.compactIfWorthIt();
    return true;
  }

  outbound(): Iterable<OutboundEntry> {
    return this.outboundEntries.values();
  }

  addInbound(packetId: number): boolean {
    if (this.inboundIds.has(packetId)) return false;
    this.append(OP_ADD_INBOUND, idBytes(packetId));
    this.inboundIds.add(packetId);
    return true;
  }

  /** Whether an inbound QoS 2 identifier is held (read from memory). */
  hasInbound(packetId: number): boolean {
    return this.inboundIds.has(packetId);
  }

  deleteInbound(packetId: number): boolean {
    if (!this.inboundIds.has(packetId)) return false;
    this.append(OP_DELETE_INBOUND, idBytes(packetId));
    this.inboundIds.delete(packetId);
    this.compactIfWorthIt();
    return true;
  }

  inbound(): Iterable<number> {
    return this.inboundIds.values();
  }

  clear(): void {
    this.outboundEntries.clear();
    this.inboundIds.clear();
    this.append(OP_CLEAR, new Uint8Array(0));
    this.compactIfWorthIt();
  }

  /** Rewrites the file with only the live state (done automatically; see `compactAfter`). */
  compact(): void {
    this.log.writable();
    this.rewrite();
  }

  /** Closes the file. Reads still answer from memory; changes throw StoreError `STORE_CLOSED`. */
  close(): void {
    this.log.close();
  }

  private append(op: number, payload: Uint8Array): void {
    this.log.append(frame(op, payload));
  }

  private compactIfWorthIt(): void {
    const live = this.outboundEntries.size + this.inboundIds.size;
    if (this.log.records >= this.compactAfter && this.log.records > 2 * live) this.compact();
  }

  /** Writes the live state to a new file and renames it over the old one (atomic on POSIX). */
  private rewrite(): void {
    const parts: Uint8Array[] = [];
    for (const { packet, state } of this.outboundEntries.values()) {
      const encoded = encode(packet, { protocolVersion: 5 });
      const body = new Uint8Array(1 + encoded.length);
      body[0] = stateCode(state);
      body.set(encoded, 1);
      parts.push(frame(OP_PUT, body));
    }
    for (const id of this.inboundIds) parts.push(frame(OP_ADD_INBOUND, idBytes(id)));
    this.log.rewrite(parts);
  }

  private apply(body: Uint8Array, offset: number): void {
    const corrupt = (why: string, cause?: unknown): never => {
      throw new StoreCorruptError('STORE_CORRUPT', why, this.path, offset, { cause });
    };
    const op = body[0];
    const id = body.length >= 3 ? (body[1] << 8) | body[2] : -1;
    switch (op) {
      case OP_PUT: {
        const state = stateName(body[1]) ?? corrupt('unknown outbound state');
        let packet: Packet | undefined;
        try {
          // Exactly one whole packet per record: a short or over-long one is damage, not a stream.
          packet = decodeOnePacket(body.subarray(2), { protocolVersion: 5 });
        } catch (error) {
          corrupt('undecodable PUBLISH record', error);
        }
        if (packet?.type !== 'publish' || packet.packetId === undefined) return corrupt('undecodable PUBLISH record');
        this.outboundEntries.set(packet.packetId, { packet, state });
        return;
      }
      case OP_STATE: {
        const entry = this.outboundEntries.get(id);
        const state = stateName(body[3]);
        if (entry === undefined || state === undefined || body.length !== 4) return corrupt('state change of an unknown message');
        this.outboundEntries.set(id, { packet: entry.packet, state });
        return;
      }
      case OP_DELETE_OUTBOUND:
        this.outboundEntries.delete(id);
        return;
      case OP_ADD_INBOUND:
        this.inboundIds.add(id);
        return;
      case OP_DELETE_INBOUND:
        this.inboundIds.delete(id);
        return;
      case OP_CLEAR:
        this.outboundEntries.clear();
        this.inboundIds.clear();
        return;
      default:
        corrupt(`unknown record type ${String(op)}`);
    }
  }
}

function idBytes(id: number): Uint8Array {
  return new Uint8Array([id >>> 8, id & 0xff]);
}

function idAndState(id: number, state: number): Uint8Array {
  return new Uint8Array([id >>> 8, id & 0xff, state]);
}

function stateCode(state: OutboundState): number {
  if (state === 'publish') return 0;
  if (state === 'pubrel') return STATE_PUBREL;
  throw new InvalidArgumentError('entry.state', `must be 'publish' or 'pubrel', got ${String(state)}`);
}

function stateName(code: number): OutboundState | undefined {
  return code === 0 ? 'publish' : code === STATE_PUBREL ? 'pubrel' : undefined;
}
