/**
 * Encoding and decoding of MQTT 5.0 property blocks, driven by the property table.
 */
import { EncodeError } from '../errors.js';
import type { ByteReader } from './byte-reader.js';
import { binaryLength, show, stringLength, vbiLength, type ByteWriter } from './byte-writer.js';
import {
  BINARY, BYTE, FOUR_BYTE, PROPERTY_BY_NAME, propertyFor, STRING_PAIR, TWO_BYTE, UTF8_STRING, VARIABLE_BYTE,
  type PropertyDefinition,
} from './property-table.js';
import { utf8Length } from './utf8.js';

type Props = object | undefined;
type Bag = { readonly [name: string]: unknown };

function invalid(field: string, message: string): never {
  throw new EncodeError('ENCODE_INVALID_PROPERTY', message, field);
}

function valueLength(d: PropertyDefinition, v: unknown, field: string): number {
  switch (d.type) {
    case BYTE:
      if (d.boolean) {
        if (typeof v !== 'boolean') invalid(field, `must be a boolean, got ${show(v)}`);
      } else if (v !== 0 && v !== 1) {
        invalid(field, `must be 0 or 1, got ${show(v)}`);
      }
      return 2;
    case TWO_BYTE:
    case FOUR_BYTE:
    case VARIABLE_BYTE:
      if (typeof v !== 'number' || !Number.isInteger(v) || v < d.min || v > d.max) {
        invalid(field, `must be an integer from ${d.min} to ${d.max}, got ${show(v)}`);
      }
      return 1 + (d.type === TWO_BYTE ? 2 : d.type === FOUR_BYTE ? 4 : vbiLength(v));
    case UTF8_STRING:
      return 3 + stringLength(v, field);
    case BINARY:
      return 3 + binaryLength(v, field);
    default: {
      // STRING_PAIR: one user property
      if (!Array.isArray(v) || v.length !== 2) invalid(field, 'must be a [name, value] pair of strings');
      return 5 + stringLength(v[0], `${field}[0]`) + stringLength(v[1], `${field}[1]`);
    }
  }
}

/**
 * The byte length of the property block's content (without its length prefix). Validates names,
 * placement (`kind`) and values; `prefix` is the field path for errors (e.g. `properties`).
 */
export function propertiesLength(props: Props, kind: number, prefix: string): number {
  if (props === undefined) return 0;
  if (props === null || typeof props !== 'object') invalid(prefix, 'must be an object');
  const bag = props as Bag;
  let n = 0;
  for (const name in bag) {
    const v = bag[name];
    if (v === undefined) continue;
    const field = `${prefix}.${name}`;
    const d = PROPERTY_BY_NAME.get(name);
    if (d === undefined || (d.kinds & kind) === 0) invalid(field, 'is not a property this packet can carry');
    if (d.multiple) {
      if (!Array.isArray(v)) invalid(field, 'must be an array');
      for (let i = 0; i < v.length; i++) n += valueLength(d, v[i], `${field}[${i}]`);
    } else {
      n += valueLength(d, v, field);
    }
  }
  return n;
}

function writeValue(w: ByteWriter, d: PropertyDefinition, v: unknown): void {
  w.u8(d.id);
  switch (d.type) {
    case BYTE: w.u8(d.boolean ? (v ? 1 : 0) : (v as number)); break;
    case TWO_BYTE: w.u16(v as number); break;
    case FOUR_BYTE: w.u32(v as number); break;
    case VARIABLE_BYTE: w.vbi(v as number); break;
    case UTF8_STRING: w.utf8(v as string, utf8Length(v as string)); break;
    case BINARY: w.binary(v as Uint8Array); break;
    default: {
      const [k, val] = v as readonly [string, string];
      w.utf8(k, utf8Length(k));
      w.utf8(val, utf8Length(val));
    }
  }
}

/** Writes the property block (length prefix and content) validated by {@link propertiesLength}. */
export function writeProperties(w: ByteWriter, props: Props, length: number): void {
  w.vbi(length);
  if (length === 0 || props === undefined) return;
  const bag = props as Bag;
  for (const name in bag) {
    const v = bag[name];
    if (v === undefined) continue;
    const d = PROPERTY_BY_NAME.get(name)!;
    if (d.multiple) for (const item of v as unknown[]) writeValue(w, d, item);
    else writeValue(w, d, v);
  }
}

/**
 * Reads a property block of a packet of `kind`. Returns undefined when it is empty. Unknown or
 * misplaced identifiers are malformed (0x81); repeating a property that may appear once and values
 * out of range are protocol errors (0x82).
 */
export function readProperties(r: ByteReader, kind: number): Record<string, unknown> | undefined {
  const len = r.vbi('property length');
  if (len === 0) return undefined;
  const end = r.pos + len;
  if (end > r.end) r.fail('DECODE_TRUNCATED', 'the property block runs past the end of the packet');
  const outerEnd = r.end;
  r.end = end;
  const props: Record<string, unknown> = {};
  while (r.pos < end) {
    const at = r.pos;
    const id = r.vbi('property identifier');
    const d = propertyFor(id, kind);
    if (d === undefined || (d.kinds & kind) === 0) {
      r.fail('DECODE_INVALID_PROPERTY', `property identifier 0x${id.toString(16).padStart(2, '0')} is ${d === undefined ? 'unknown' : `not allowed in this packet (${d.name})`}`, {}, at);
    }
    let v: unknown;
    switch (d.type) {
      case BYTE: v = r.u8(d.name); break;
      case TWO_BYTE: v = r.u16(d.name); break;
      case FOUR_BYTE: v = r.u32(d.name); break;
      case VARIABLE_BYTE: v = r.vbi(d.name); break;
      case UTF8_STRING: v = r.utf8(d.name); break;
      case BINARY: v = r.binary(d.name); break;
      default: v = [r.utf8('user property name'), r.utf8('user property value')];
    }
    if (d.type !== UTF8_STRING && d.type !== BINARY && d.type !== STRING_PAIR) {
      const n = v as number;
      if (n < d.min || n > d.max) {
        r.fail('DECODE_INVALID_PROPERTY_VALUE', `${d.name} must be from ${d.min} to ${d.max}, got ${n}`, { reasonCode: 0x82 }, at);
      }
      if (d.boolean) v = n === 1;
    }
    if (d.multiple) {
      const list = props[d.name] as unknown[] | undefined;
      if (list === undefined) props[d.name] = [v];
      else list.push(v);
    } else {
      if (props[d.name] !== undefined) {
        r.fail('DECODE_DUPLICATE_PROPERTY', `${d.name} must not appear more than once`, { reasonCode: 0x82 }, at);
      }
      props[d.name] = v;
    }
  }
  r.end = outerEnd;
  return props;
}
