/**
 * The append-only log shared by FileInFlightStore and the broker's persistence: framing, replay,
 * a torn tail, damage, rewrite, closed state.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreCorruptError } from '../../lib/errors.js';
import { AppendLog, RECORD_HEADER, crc32, frameRecord, replayLog, type AppendLogFormat } from '../../lib/node/append-log.js';

const FORMAT: AppendLogFormat = { magic: new TextEncoder().encode('TESTLOG1'), kind: 'test log' };
let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxmqtt-append-log-'));
  path = join(dir, 'x.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readAll(): { op: number; text: string; offset: number }[] {
  const out: { op: number; text: string; offset: number }[] = [];
  new AppendLog(path, FORMAT, false, (body, offset) => out.push({ op: body[0], text: new TextDecoder().decode(body.subarray(1)), offset })).close();
  return out;
}

describe('frameRecord and crc32', () => {
  it('frames as length, its complement, the CRC-32 of the body, then the body (op first)', () => {
    const record = frameRecord(7, new TextEncoder().encode('abc'));
    expect([...record.subarray(0, 8)]).toEqual([0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfb]);
    expect([...record.subarray(RECORD_HEADER)]).toEqual([7, 0x61, 0x62, 0x63]);
    expect(new DataView(record.buffer).getUint32(8)).toBe(crc32(record, RECORD_HEADER, record.length));
    expect(crc32(new TextEncoder().encode('123456789'), 0, 9)).toBe(0xcbf43926); // the CRC-32 check value
  });
});

describe('AppendLog', () => {
  it('creates the file with the magic, appends records and replays them in order with their offsets', () => {
    const log = new AppendLog(path, FORMAT, false, () => undefined);
    expect(readFileSync(path).subarray(0, 8).toString()).toBe('TESTLOG1');
    log.append(frameRecord(1, new TextEncoder().encode('one')));
    const two = Buffer.concat([frameRecord(2, new TextEncoder().encode('two')), frameRecord(3, new TextEncoder().encode('three'))]);
    log.append(two, 2);
    expect(log.records).toBe(3);
    log.close();
    expect(readAll()).toEqual([
      { op: 1, text: 'one', offset: 8 },
      { op: 2, text: 'two', offset: 8 + 16 },
      { op: 3, text: 'three', offset: 8 + 32 },
    ]);
  });

  it('cuts off a torn last record and reports its size', () => {
    const log = new AppendLog(path, FORMAT, true, () => undefined);
    log.append(frameRecord(1, new TextEncoder().encode('whole')));
    log.close();
    const whole = statSync(path).size;
    appendFileSync(path, frameRecord(2, new TextEncoder().encode('torn')).subarray(0, 14));
    const again = new AppendLog(path, FORMAT, false, () => undefined);
    expect(again.truncatedBytes).toBe(14);
    expect(statSync(path).size).toBe(whole);
    again.close();
    expect(readAll().map((r) => r.text)).toEqual(['whole']);
  });

  it('throws StoreCorruptError for a damaged record before the end, and STORE_WRONG_FILE for another file', () => {
    const log = new AppendLog(path, FORMAT, false, () => undefined);
    log.append(frameRecord(1, new TextEncoder().encode('first')));
    log.append(frameRecord(2, new TextEncoder().encode('second')));
    log.close();
    const bytes = readFileSync(path);
    bytes[8 + RECORD_HEADER + 2] ^= 1;
    writeFileSync(path, bytes);
    expect(() => readAll()).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT', offset: 8 }));
    writeFileSync(path, 'OTHERLOGxxxxxxxx');
    expect(() => readAll()).toThrow(StoreCorruptError);
    expect(() => replayLog(readFileSync(path), FORMAT, path, () => undefined)).toThrow(/not an rxmqtt test log file/);
  });

  it('rewrite replaces the file with the given records (no compaction file left), and writes after close throw STORE_CLOSED', () => {
    const log = new AppendLog(path, FORMAT, false, () => undefined);
    for (let i = 0; i < 10; i++) log.append(frameRecord(1, new TextEncoder().encode(`r${i}`)));
    log.rewrite([frameRecord(9, new TextEncoder().encode('only'))]);
    expect(log.records).toBe(1);
    log.append(frameRecord(1, new TextEncoder().encode('after')));
    log.close();
    expect(existsSync(`${path}.compact`)).toBe(false);
    expect(readAll().map((r) => [r.op, r.text])).toEqual([
      [9, 'only'],
      [1, 'after'],
    ]);
    expect(() => log.append(frameRecord(1, new Uint8Array(0)))).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
  });
});
