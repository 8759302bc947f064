import fc from 'fast-check';
import { filter, firstValueFrom } from 'rxjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { encode } from '../../lib/codec/encode.js';
import { join } from 'node:path';
import type { PublishPacket } from '../../lib/codec/packet.js';
import { ConnectionClosedError, DecodeError, InvalidArgumentError, StoreCorruptError, StoreError } from '../../lib/errors.js';
import type { ClientState, MqttClient } from '../../lib/client/mqtt-client.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';
import { FileInFlightStore } from '../../lib/node/file-in-flight-store.js';
import type { OutboundState } from '../../lib/session/in-flight-store.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';

let dir: string;
let file: string;
const open: FileInFlightStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxmqtt-store-'));
  file = join(dir, 'client.inflight');
});
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function openStore(options?: { fsync?: boolean; compactAfter?: number }): FileInFlightStore {
  const store = new FileInFlightStore(file, options);
  open.push(store);
  return store;
}

function publish(packetId: number, qos: 1 | 2 = 1, text = `message ${packetId}`): PublishPacket {
  return { type: 'publish', topic: `t/${packetId}`, payload: new TextEncoder().encode(text), qos, retain: false, dup: false, packetId };
}

/** The state as plain data, for comparing two stores. */
function snapshot(store: { outbound(): Iterable<{ packet: PublishPacket; state: OutboundState }>; inbound(): Iterable<number> }) {
  return {
    outbound: [...store.outbound()].map(({ packet, state }) => ({
      id: packet.packetId,
      state,
      topic: packet.topic,
      qos: packet.qos,
      retain: packet.retain,
      payload: Array.from(packet.payload),
      properties: packet.properties,
    })),
    inbound: [...store.inbound()].sort((a, b) => a - b),
  };
}

describe('FileInFlightStore', () => {
  it('keeps outbound entries, their states and inbound ids, like the memory store', () => {
    const store = openStore();
    const first = publish(7, 2);
    store.putOutbound({ packet: first, state: 'publish' });
    store.putOutbound({ packet: publish(3, 1), state: 'publish' });
    store.putOutbound({ packet: first, state: 'pubrel' });
    expect(store.getOutbound(7)).toEqual({ packet: first, state: 'pubrel' });
    expect([...store.outbound()].map((e) => e.packet.packetId)).toEqual([7, 3]); // first-put order
    expect(store.addInbound(11)).toBe(true);
    expect(store.addInbound(11)).toBe(false);
    expect(store.hasInbound(11)).toBe(true);
    expect(store.deleteOutbound(3)).toBe(true);
    expect(store.deleteOutbound(3)).toBe(false);
    expect(store.deleteInbound(11)).toBe(true);
    expect(store.deleteInbound(11)).toBe(false);
    expect(snapshot(store).outbound.map((e) => [e.id, e.state])).toEqual([[7, 'pubrel']]);
  });

  it('gives back after reopening what it held, MQTT 5 properties and binary payloads included', () => {
    const store = openStore();
    const packet: PublishPacket = {
      ...publish(65535, 2),
      retain: true,
      payload: new Uint8Array([0, 255, 1, 254]),
      properties: { correlationData: new Uint8Array([9, 8]), userProperties: [['k', 'v']], contentType: 'application/x' },
    };
    store.putOutbound({ packet, state: 'publish' });
    store.putOutbound({ packet: publish(1, 1), state: 'publish' });
    store.putOutbound({ packet, state: 'pubrel' });
    store.addInbound(42);
    store.addInbound(43);
    store.deleteInbound(43);
    const before = snapshot(store);
    store.close();
    const reopened = openStore();
    expect(reopened.truncatedBytes).toBe(0);
    expect(snapshot(reopened)).toEqual(before);
    expect(reopened.getOutbound(65535)?.state).toBe('pubrel');
    expect(reopened.getOutbound(65535)?.packet.properties?.userProperties).toEqual([['k', 'v']]);
    expect(reopened.hasInbound(42)).toBe(true);
  });

  it('forgets everything on clear(), also after reopening', () => {
    const store = openStore({ fsync: true });
    store.putOutbound({ packet: publish(1), state: 'publish' });
    store.addInbound(2);
    store.clear();
    store.putOutbound({ packet: publish(5), state: 'publish' });
    store.close();
    expect(snapshot(openStore())).toEqual(snapshot({ outbound: () => [{ packet: publish(5), state: 'publish' }], inbound: () => [] }));
  });

  it('compacts the log once it is mostly obsolete, keeping order and state', () => {
    const store = openStore({ compactAfter: 100 });
    store.putOutbound({ packet: publish(60000, 2), state: 'publish' });
    for (let i = 1; i <= 2000; i++) {
      store.putOutbound({ packet: publish(i, 2, 'x'.repeat(100)), state: 'publish' });
      store.deleteOutbound(i);
    }
    store.addInbound(9);
    const size = statSync(file).size;
    expect(size).toBeLessThan(100 * 140); // 4000 records of ~130 bytes were written
    expect(existsSync(`${file}.compact`)).toBe(false);
    const before = snapshot(store);
    store.close();
    expect(snapshot(openStore())).toEqual(before);
  });

  it('cuts off a torn last record and keeps working', () => {
    const store = openStore();
    store.putOutbound({ packet: publish(1, 2), state: 'publish' });
    store.addInbound(4);
    const intact = statSync(file).size;
    store.putOutbound({ packet: publish(2, 2, 'a longer payload that was being written'), state: 'publish' });
    store.close();
    const full = statSync(file).size;
    for (const cut of [1, full - intact - 12, full - intact - 3]) {
      writeFileSync(`${file}.copy`, readFileSync(file));
      truncateSync(file, full - cut);
      const recovered = openStore();
      expect(recovered.truncatedBytes).toBe(full - intact - cut);
      expect(snapshot(recovered).outbound.map((e) => e.id)).toEqual([1]);
      expect(recovered.hasInbound(4)).toBe(true);
      recovered.deleteOutbound(1);
      recovered.close();
      expect(snapshot(openStore()).outbound).toEqual([]);
      open.pop()?.close();
      writeFileSync(file, readFileSync(`${file}.copy`));
    }
  });

  it('treats a zero-filled tail (file grown but never written) as torn', () => {
    const store = openStore();
    store.putOutbound({ packet: publish(1), state: 'publish' });
    store.close();
    appendFileSync(file, new Uint8Array(40));
    const recovered = openStore();
    expect(recovered.truncatedBytes).toBe(40);
    expect(recovered.getOutbound(1)?.packet.topic).toBe('t/1');
  });

  it('refuses a damaged record before the end with STORE_CORRUPT, the path and the offset', () => {
    const store = openStore();
    store.putOutbound({ packet: publish(1), state: 'publish' });
    const second = statSync(file).size;
    store.putOutbound({ packet: publish(2), state: 'publish' });
    store.putOutbound({ packet: publish(3), state: 'publish' });
    store.close();
    const original = readFileSync(file);
    for (const [offset, code] of [
      [second + 20, 'STORE_CORRUPT'], // inside the body: checksum mismatch
      [second + 1, 'STORE_CORRUPT'], // inside the length field
      [second + 9, 'STORE_CORRUPT'], // inside the checksum
    ] as const) {
      const damaged = Uint8Array.from(original);
      damaged[offset] ^= 0x40;
      writeFileSync(file, damaged);
      let caught: unknown;
      try {
        new FileInFlightStore(file);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(StoreCorruptError);
      const error = caught as StoreCorruptError;
      expect(error.code).toBe(code);
      expect(error.offset).toBe(second);
      expect(error.path).toBe(file);
      expect(error.message).toContain(file);
      expect(readFileSync(file)).toEqual(Buffer.from(damaged)); // nothing was cut off
    }
  });

  it('refuses a file that is not a store with STORE_WRONG_FILE', () => {
    writeFileSync(file, 'retained messages\nline 2\n');
    expect(() => new FileInFlightStore(file)).toThrow(expect.objectContaining({ code: 'STORE_WRONG_FILE', offset: 0 }));
    writeFileSync(file, 'abc');
    expect(() => new FileInFlightStore(file)).toThrow(StoreCorruptError);
  });

  it('starts afresh from an empty file or a torn file header', () => {
    writeFileSync(file, 'RXMQ');
    const store = openStore();
    store.addInbound(1);
    store.close();
    expect([...openStore().inbound()]).toEqual([1]);
  });

  it('validates its arguments and refuses changes after close()', () => {
    expect(() => new FileInFlightStore('')).toThrow(InvalidArgumentError);
    expect(() => new FileInFlightStore(file, { fsync: 'yes' as unknown as boolean })).toThrow(/options.fsync/);
    expect(() => new FileInFlightStore(file, { compactAfter: 0 })).toThrow(/options.compactAfter/);
    const store = openStore();
    expect(() => store.putOutbound({ packet: publish(1), state: 'done' as OutboundState })).toThrow(/entry.state/);
    store.close();
    expect(() => store.addInbound(1)).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
    expect(() => new FileInFlightStore(join(dir, 'missing', 'x'))).toThrow(StoreError);
  });

  it('after any sequence of operations reopens to the same state as a memory store', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), id: fc.integer({ min: 1, max: 8 }), qos: fc.constantFrom(1 as const, 2 as const) }),
      fc.record({ kind: fc.constant('release' as const), id: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('deleteOut' as const), id: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('addIn' as const), id: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('deleteIn' as const), id: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (ops, compactAfter) => {
        rmSync(file, { force: true });
        const model = new MemoryInFlightStore();
        const store = new FileInFlightStore(file, { compactAfter });
        for (const o of ops) {
          for (const s of [model, store]) {
            if (o.kind === 'put') s.putOutbound({ packet: publish(o.id, o.qos), state: 'publish' });
            else if (o.kind === 'release') {
              const entry = s.getOutbound(o.id);
              if (entry !== undefined) s.putOutbound({ packet: entry.packet, state: 'pubrel' });
            } else if (o.kind === 'deleteOut') s.deleteOutbound(o.id);
            else if (o.kind === 'addIn') s.addInbound(o.id);
            else if (o.kind === 'deleteIn') s.deleteInbound(o.id);
            else s.clear();
          }
        }
        store.close();
        const reopened = new FileInFlightStore(file);
        reopened.close();
        expect(snapshot(reopened)).toEqual(snapshot(model));
      }),
      { numRuns: 150 },
    );
  });
});

describe('FileInFlightStore failing mid-flow in a client', () => {
  afterEach(closeScriptedClients);

  const closedState = (client: MqttClient): Promise<ClientState> => firstValueFrom(client.state$.pipe(filter((s) => s.status === 'closed')));

  it('an inbound QoS 2 PUBLISH the closed store cannot hold ends the connection with StoreError STORE_CLOSED: not delivered, no PUBREC', async () => {
    const store = openStore();
    const { client, server } = await connectedPair({ clean: false, store });
    const seen: string[] = [];
    let observerError: unknown;
    client.subscribe('in', { qos: 2 }).subscribe({ next: (m) => seen.push(m.topic), error: (e: unknown) => (observerError = e) });
    const s = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: s.packetId, reasonCodes: [2] });
    store.close();
    const closed = closedState(client);
    server.send({ type: 'publish', topic: 'in', payload: new Uint8Array([1]), qos: 2, retain: false, dup: false, packetId: 4 });
    const state = await closed;
    await server.closed;
    expect(state.status === 'closed' && state.error).toBeInstanceOf(StoreError);
    expect(state.status === 'closed' && state.error?.code).toBe('STORE_CLOSED'); // not reconnectable: it would fail again
    expect(seen).toEqual([]);
    expect(server.log.map((p) => p.type)).toEqual(['connect', 'subscribe']);
    expect((observerError as ConnectionClosedError).cause).toBeInstanceOf(StoreError);
  });

  it('a QoS 1 publish the closed store cannot record fails with StoreError STORE_CLOSED; nothing is sent and the connection stays', async () => {
    const store = openStore();
    const { client, server } = await connectedPair({ clean: false, store });
    store.close();
    const failure = await client.publishAsync('out', 'x', { qos: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).code).toBe('STORE_CLOSED');
    await client.publishAsync('marker', '');
    expect(await server.expect('publish')).toMatchObject({ topic: 'marker', qos: 0 });
  });

  it('a QoS 2 PUBREC the store cannot record fails the publish and the connection with the StoreError, and no PUBREL goes out', async () => {
    const store = openStore();
    const { client, server } = await connectedPair({ clean: false, store, reconnect: false });
    const result = client.publishAsync('out', 'x', { qos: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const sent = await server.expect('publish');
    store.close();
    const closed = closedState(client);
    server.send({ type: 'pubrec', packetId: sent.packetId ?? 0 });
    const failure = await result;
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).code).toBe('STORE_CLOSED');
    const state = await closed;
    expect(state.status === 'closed' && state.error?.code).toBe('STORE_CLOSED');
    await server.closed;
    expect(server.log.map((p) => p.type)).toEqual(['connect', 'publish']);
  });
});

describe('FileInFlightStore records decoded by the shared framing helper', () => {
  /** A store file holding one OP_PUT record whose PUBLISH bytes are `publishBytes` (checksum valid). */
  function fileWithPut(publishBytes: Uint8Array): void {
    const magic = Uint8Array.of(0x52, 0x58, 0x4d, 0x51, 0x49, 0x46, 0x53, 0x01);
    const body = Uint8Array.of(1 /* OP_PUT */, 0 /* state publish */, ...publishBytes);
    const header = new Uint8Array(12);
    const view = new DataView(header.buffer);
    view.setUint32(0, body.length);
    view.setUint32(4, ~body.length >>> 0);
    view.setUint32(8, crc32(body));
    // A second record after it, so the damaged one is not "the torn last record".
    const clear = Uint8Array.of(6 /* OP_CLEAR */);
    const clearHeader = new Uint8Array(12);
    const clearView = new DataView(clearHeader.buffer);
    clearView.setUint32(0, 1);
    clearView.setUint32(4, ~1 >>> 0);
    clearView.setUint32(8, crc32(clear));
    writeFileSync(file, Uint8Array.of(...magic, ...header, ...body, ...clearHeader, ...clear));
  }
  const encoded = encode(publish(3, 2), { protocolVersion: 5 });

  it('reads a record holding exactly one PUBLISH', () => {
    fileWithPut(encoded);
    expect([...openStore().outbound()]).toEqual([]); // put, then cleared: both records were read
  });

  it.each([
    ['a PUBLISH cut short', encoded.subarray(0, encoded.length - 1)],
    ['a PUBLISH followed by another packet', Uint8Array.of(...encoded, 0xd0, 0x00)],
  ])('refuses a checksummed record holding %s with STORE_CORRUPT', (_, bytes) => {
    fileWithPut(bytes);
    let error: unknown;
    try {
      openStore();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as StoreCorruptError).code).toBe('STORE_CORRUPT');
    expect(((error as StoreCorruptError).cause as DecodeError).code).toMatch(/^DECODE_(TRUNCATED|TRAILING_BYTES)$/);
  });
});

describe('FileInFlightStore PUBREC state change', () => {
  it('records the move to pubrel as a 16-byte state record even for a fresh packet object, and keeps the payload', () => {
    const store = openStore();
    const packet = publish(5, 2, 'x'.repeat(10_000));
    store.putOutbound({ packet, state: 'publish' });
    const before = statSync(file).size;
    store.putOutbound({ packet: { ...packet, dup: false }, state: 'pubrel' }); // a fresh object, as callers pass
    expect(statSync(file).size - before).toBe(16); // 12-byte frame header, op, packet id, state
    expect(store.getOutbound(5)?.state).toBe('pubrel');
    store.close();
    const reopened = openStore();
    const entry = reopened.getOutbound(5);
    expect(entry?.state).toBe('pubrel');
    expect(new TextDecoder().decode(entry?.packet.payload)).toBe('x'.repeat(10_000));
  });

  it('still writes the whole PUBLISH for a new message, and for a different packet stored as publish', () => {
    const store = openStore();
    const first = publish(6, 2, 'first');
    let size = statSync(file).size;
    store.putOutbound({ packet: first, state: 'publish' });
    expect(statSync(file).size - size).toBeGreaterThan(16 + 'first'.length);
    size = statSync(file).size;
    store.putOutbound({ packet: publish(6, 2, 'second'), state: 'publish' });
    expect(statSync(file).size - size).toBeGreaterThan(16 + 'second'.length);
    store.close();
    expect(new TextDecoder().decode(openStore().getOutbound(6)?.packet.payload)).toBe('second');
  });
});
