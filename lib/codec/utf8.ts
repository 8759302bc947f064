/**
 * UTF-8 helpers shared by the encoder and the decoder: byte length with validation in one pass,
 * and strict decoding (well-formed, no surrogates, no U+0000) with a fast ASCII path.
 */

/** The shared encoder; `encodeInto` writes straight into a packet's buffer. */
export const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Returned by {@link utf8Length} for a string containing U+0000. */
export const UTF8_NULL = -1;
/** Returned by {@link utf8Length} for a string containing a lone surrogate. */
export const UTF8_LONE_SURROGATE = -2;

/**
 * The number of bytes `s` takes in UTF-8, or {@link UTF8_NULL} / {@link UTF8_LONE_SURROGATE} when it
 * cannot appear in an MQTT UTF-8 string [MQTT-1.5.4-1] [MQTT-1.5.4-2].
 *
 * @example
 * ```ts
 * utf8Length('a/ü'); // 4
 * ```
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) return UTF8_NULL;
    } else if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) return UTF8_LONE_SURROGATE;
      bytes += 2; // 2 UTF-16 units -> 4 bytes
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** What is wrong with `s` as an MQTT UTF-8 string, or undefined. */
export function utf8Problem(s: string): string | undefined {
  const n = utf8Length(s);
  if (n === UTF8_NULL) return 'must not contain U+0000';
  if (n === UTF8_LONE_SURROGATE) return 'must not contain a lone surrogate (ill-formed UTF-16)';
  if (n > 65535) return `is ${n} bytes long in UTF-8, more than 65535`;
  return undefined;
}

/**
 * Writes `s`, known to take `byteLength` bytes, into `buf` at `pos`; returns the position after it.
 * ASCII strings are copied by a plain loop, which beats `encodeInto` for short topics.
 */
export function writeUtf8(buf: Uint8Array, pos: number, s: string, byteLength: number): number {
  const n = s.length;
  if (byteLength === n) {
    for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + n;
  }
  textEncoder.encodeInto(s, buf.subarray(pos, pos + byteLength));
  return pos + byteLength;
}

/** Result codes of {@link readUtf8}: the decoded string is stored in {@link utf8Result}. */
export const UTF8_OK = 0;
/** The bytes are not well-formed UTF-8 (includes encoded surrogates and overlong forms). */
export const UTF8_ILL_FORMED = 1;
/** The bytes decode to a string containing U+0000. */
export const UTF8_HAS_NULL = 2;

/** The last string decoded by {@link readUtf8} (a module slot avoids a result object per call). */
export let utf8Result = '';

/**
 * Strictly decodes `buf[start, end)`. Returns {@link UTF8_OK} and stores the string in
 * {@link utf8Result}, or a problem code.
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n <= 32) {
    // Fast path for short ASCII strings (typical topics): no TextDecoder call.
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const b = buf[i];
      if (b >= 0x80) break;
      if (b === 0) return UTF8_HAS_NULL;
      s += String.fromCharCode(b);
    }
    if (i === end) {
      utf8Result = s;
      return UTF8_OK;
    }
  }
  let s: string;
  try {
    s = textDecoder.decode(buf.subarray(start, end));
  } catch {
    return UTF8_ILL_FORMED;
  }
  if (s.indexOf('\u0000') !== -1) return UTF8_HAS_NULL;
  utf8Result = s;
  return UTF8_OK;
}
