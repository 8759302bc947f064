import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MqttError, StoreCorruptError, StoreError } from '../errors.js';

/** Bytes before each record body: u32 body length, u32 its bitwise complement, u32 CRC-32 of the body. */
export const RECORD_HEADER = 12;
const MAX_BODY = 268_435_460 + 16;

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE) of `bytes[start..end)`. */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One framed record: the header, then the body `op` followed by `payload`. */
export function frameRecord(op: number, payload: Uint8Array): Uint8Array {
  const length = 1 + payload.length;
  const record = new Uint8Array(RECORD_HEADER + length);
  const view = new DataView(record.buffer);
  view.setUint32(0, length);
  view.setUint32(4, ~length >>> 0);
  record[RECORD_HEADER] = op;
  record.set(payload, RECORD_HEADER + 1);
  view.setUint32(8, crc32(record, RECORD_HEADER, record.length));
  return record;
}

/** What an append-only log file is, for its checks and error messages. */
export interface AppendLogFormat {
  /** The first bytes of every file of this format (a name and a format version). */
  readonly magic: Uint8Array;
  /** Named in errors: "not an rxmqtt {kind} file". */
  readonly kind: string;
}

/**
 * Replays the records of a log file's bytes, calling `visit` with each intact record body (its first
 * byte is the record type) and its byte offset. Returns where the intact part ends: 0 for an empty
 * file or a torn header, else the end of the last whole record. A torn last record (the process died
 * while writing it, or the file was extended and never written) is not visited. Other damage throws
 * {@link StoreCorruptError}: `STORE_WRONG_FILE` when the magic does not match, `STORE_CORRUPT` with
 * the offset of the damaged record.
 */
export function replayLog(bytes: Uint8Array, format: AppendLogFormat, path: string, visit: (body: Uint8Array, offset: number) => void): number {
  const magic = format.magic;
  if (bytes.length < magic.length) {
    if (bytes.every((b, i) => b === magic[i])) return 0; // empty or a torn header: start afresh
    throw new StoreCorruptError('STORE_WRONG_FILE', `not an rxmqtt ${format.kind} file`, path, 0);
  }
  if (!magic.every((b, i) => bytes[i] === b)) {
    throw new StoreCorruptError('STORE_WRONG_FILE', `not an rxmqtt ${format.kind} file (or another format version)`, path, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = magic.length;
  while (pos < bytes.length) {
    if (bytes.length - pos < RECORD_HEADER) return pos; // a torn header: the last record was cut short
    const length = view.getUint32(pos);
    if ((~length >>> 0) !== view.getUint32(pos + 4) || length > MAX_BODY) {
      // Zeros to the end are a file extended but never written (a crash): also a torn tail.
      if (bytes.subarray(pos).every((b) => b === 0)) return pos;
      throw new StoreCorruptError('STORE_CORRUPT', 'damaged record header', path, pos);
    }
    const end = pos + RECORD_HEADER + length;
    if (end > bytes.length) return pos; // the last record was cut short
    if (crc32(bytes, pos + RECORD_HEADER, end) !== view.getUint32(pos + 8)) {
      if (end === bytes.length) return pos; // the last record, torn while being written
      throw new StoreCorruptError('STORE_CORRUPT', 'record checksum mismatch', path, pos);
    }
    visit(bytes.slice(pos + RECORD_HEADER, end), pos);
    pos = end;
  }
  return pos;
}

/**
 * One append-only file of checksummed records (framed by {@link frameRecord}), as used by the
 * client's `FileInFlightStore` and the broker's persistence. Opening replays the file; writes are
 * synchronous `write`s (plus `fsync` when asked); {@link AppendLog.rewrite} replaces the file with a
 * compacted one (new file, fsync, rename: atomic on POSIX). Every I/O failure is a StoreError
 * `STORE_IO` naming the file; writes after {@link AppendLog.close} throw `STORE_CLOSED`.
 *
 * @example
 * ```ts
 * const log = new AppendLog('/tmp/x.log', { magic: MAGIC, kind: 'example log' }, false, (body) => apply(body));
 * log.append(frameRecord(1, payload));
 * log.close();
 * ```
 */
export class AppendLog {
  /** Bytes of a torn last record cut off when the file was opened (0 when it was intact). */
  readonly truncatedBytes: number = 0;
  /** Records in the file (replayed, appended, or written by the last rewrite). */
  records = 0;
  private fd: number | undefined;

  /**
   * Opens (or creates) the log at `path`, replaying its records through `visit`, which may throw
   * (StoreCorruptError for a record it cannot apply). A new or empty file is created with the magic.
   */
  constructor(
    readonly path: string,
    private readonly format: AppendLogFormat,
    private readonly fsync: boolean,
    visit: (body: Uint8Array, offset: number) => void,
  ) {
    ioStep(path, () => rmSync(`${path}.compact`, { force: true })); // left by a crash during compaction
    const bytes = existsSync(path) ? ioStep(path, () => readFileSync(path)) : new Uint8Array(0);
    const end = replayLog(bytes, format, path, (body, offset) => {
      visit(body, offset);
      this.records++;
    });
    if (end < format.magic.length) {
      ioStep(path, () => this.rewrite([])); // new, or torn while being created
      return;
    }
    if (end < bytes.length) {
      this.truncatedBytes = bytes.length - end;
      ioStep(path, () => truncateSync(path, end));
    }
    this.fd = ioStep(path, () => openSync(path, 'a'));
  }

  /** True until {@link AppendLog.close}. */
  get open(): boolean {
    return this.fd !== undefined;
  }

  /** Appends framed bytes holding `count` records in one write (and one fsync when asked). */
  append(framed: Uint8Array, count = 1): void {
    const fd = this.writable();
    ioStep(this.path, () => {
      // A regular file takes the whole buffer at once; the loop covers a short write all the same.
      for (let done = 0; done < framed.length; ) done += writeSync(fd, framed, done);
      if (this.fsync) fsyncSync(fd);
    });
    this.records += count;
  }

  /** Flushes what has been written to the disk now (for an fsync on a timer). */
  sync(): void {
    const fd = this.writable();
    ioStep(this.path, () => fsyncSync(fd));
  }

  /**
   * Replaces the file with the magic and `frames` (each one framed record). The new file is always
   * fsynced before the rename; `syncDirectory` (default: the log's `fsync`) also flushes the rename.
   */
  rewrite(frames: readonly Uint8Array[], syncDirectory = this.fsync): void {
    const path = this.path;
    ioStep(path, () => {
      const temporary = `${path}.compact`;
      const fd = openSync(temporary, 'w');
      try {
        writeSync(fd, this.format.magic);
        for (const part of frames) writeSync(fd, part);
        fsyncSync(fd); // the new file must be whole before it replaces the old one
      } finally {
        closeSync(fd);
      }
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      renameSync(temporary, path);
      if (syncDirectory) syncFolder(dirname(path));
      this.fd = openSync(path, 'a');
    });
    this.records = frames.length;
  }

  /** Closes the file; later writes throw StoreError `STORE_CLOSED`. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    ioStep(this.path, () => closeSync(fd));
  }

  /** The open file descriptor, or StoreError `STORE_CLOSED`. */
  writable(): number {
    if (this.fd === undefined) throw new StoreError('STORE_CLOSED', `${this.path}: the store is closed`);
    return this.fd;
  }
}

function syncFolder(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Runs a file operation, turning an I/O failure into StoreError `STORE_IO` naming the file. */
export function ioStep<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof MqttError) throw error;
    throw new StoreError('STORE_IO', `${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
