/**
 * Shared helpers of the per-packet fixture specs: build bytes from annotated parts, check a fixture
 * in both directions, and capture the typed error of a malformed input or an invalid packet.
 */
import { encode } from '../../../lib/codec/encode.js';
import { PacketDecoder } from '../../../lib/codec/decoder.js';
import type { Packet, ProtocolVersion } from '../../../lib/codec/packet.js';
import { DecodeError, EncodeError } from '../../../lib/errors.js';

/** Bytes from numbers and ASCII strings (a string stands for its character codes). */
export function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i));
  }
  return new Uint8Array(out);
}

/** Decodes `input` in one write with a fresh decoder and returns the packets (nothing may be left over). */
export function decodeAll(input: Uint8Array, protocolVersion: ProtocolVersion | undefined): Packet[] {
  const decoder = new PacketDecoder({ protocolVersion });
  const out: Packet[] = [];
  decoder.write(input, (p) => out.push(p));
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

/** encode(packet) equals `wire`, and decoding `wire` (whole and byte by byte) gives back exactly `packet`. */
export function expectFixture(packet: Packet, wire: Uint8Array, protocolVersion: ProtocolVersion, decoderVersion: ProtocolVersion | undefined = protocolVersion): void {
  expect(encode(packet, { protocolVersion })).toEqual(wire);
  expect(decodeAll(wire, decoderVersion)).toEqual([packet]);
  const decoder = new PacketDecoder({ protocolVersion: decoderVersion });
  const out: Packet[] = [];
  for (const b of wire) decoder.write(new Uint8Array([b]), (p) => out.push(p));
  expect(out).toEqual([packet]);
}

/** The DecodeError thrown while decoding `input` (fails the test when none is thrown). */
export function decodeError(input: Uint8Array, protocolVersion: ProtocolVersion | undefined, maximumPacketSize?: number): DecodeError {
  const decoder = new PacketDecoder({ protocolVersion, maximumPacketSize });
  try {
    decoder.write(input, () => undefined);
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error(`expected a DecodeError, but the input ${decoder.bufferedBytes > 0 ? 'left bytes waiting for more' : 'decoded'}`);
}

/** Asserts the decode error's class, code, stream offset and spec statement. */
export function expectDecodeError(
  input: Uint8Array,
  protocolVersion: ProtocolVersion | undefined,
  expected: { code: string; offset: number; specRef?: string; reasonCode?: number },
): DecodeError {
  const e = decodeError(input, protocolVersion);
  expect({ code: e.code, offset: e.offset, specRef: e.specRef, reasonCode: e.reasonCode }).toEqual({
    code: expected.code,
    offset: expected.offset,
    specRef: expected.specRef,
    reasonCode: expected.reasonCode ?? 0x81,
  });
  return e;
}

/** The EncodeError thrown by encoding `packet` (fails the test when it encodes). */
export function encodeError(packet: unknown, protocolVersion: ProtocolVersion, maximumPacketSize?: number): EncodeError {
  try {
    encode(packet as Packet, { protocolVersion, maximumPacketSize });
  } catch (e) {
    expect(e).toBeInstanceOf(EncodeError);
    return e as EncodeError;
  }
  throw new Error('expected an EncodeError, but the packet encoded');
}

/** Asserts the encode error's code, field and (when given) spec statement. */
export function expectEncodeError(packet: unknown, protocolVersion: ProtocolVersion, expected: { code: string; field: string; specRef?: string }): void {
  const e = encodeError(packet, protocolVersion);
  expect({ code: e.code, field: e.field, ...(expected.specRef ? { specRef: e.specRef } : {}) }).toEqual(expected);
}
