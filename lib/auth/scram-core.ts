import { InvalidArgumentError, MqttError } from '../errors.js';

// The primitives of SCRAM-SHA-256 (RFC 5802, RFC 7677) on WebCrypto (`globalThis.crypto.subtle`),
// so the module runs unchanged in browsers, workers and Node 20.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** SubtleCrypto of the platform; a typed error where there is none (an insecure browser context). */
function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (s === undefined) throw new MqttError('SCRAM_NO_WEBCRYPTO', 'SCRAM-SHA-256 needs WebCrypto (globalThis.crypto.subtle; browsers offer it in secure contexts only)');
  return s;
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A SCRAM message as text; a typed error for bytes that are not UTF-8. */
export function messageText(data: Uint8Array | undefined, what: string): string {
  if (data === undefined) throw scramError('SCRAM_INVALID_MESSAGE', `${what}: no data`);
  try {
    return decoder.decode(data);
  } catch (cause) {
    throw scramError('SCRAM_INVALID_MESSAGE', `${what}: not UTF-8`, cause);
  }
}

export function scramError(code: string, message: string, cause?: unknown): MqttError {
  return new MqttError(code, `SCRAM-SHA-256: ${message}`, { cause });
}

export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues === undefined) throw new MqttError('SCRAM_NO_WEBCRYPTO', 'SCRAM-SHA-256 needs globalThis.crypto.getRandomValues');
  crypto.getRandomValues(bytes);
  return bytes;
}

/** A fresh nonce: 18 random bytes in base64 (printable, no ','), as RFC 5802 section 5.1 asks. */
export function randomNonce(): string {
  return toBase64(randomBytes(18));
}

/** A copy on a plain ArrayBuffer, as WebCrypto's types ask. */
function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export async function hmac(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', buf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, buf(message)));
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', buf(data)));
}

/** SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2 with HMAC-SHA-256. */
export async function saltedPassword(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await subtle().importKey('raw', buf(utf8(saslPrep(password, 'password'))), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations }, key, 256));
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ (b[i] ?? 0);
  return out;
}

/** Compares without stopping at the first difference. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * SASLprep (RFC 4013) for the strings this module accepts: printable ASCII (U+0020 to U+007E), for
 * which SASLprep changes nothing. Anything else is refused with InvalidArgumentError rather than
 * prepared differently from a server that implements the full profile (NFKC, mapping tables, bidi).
 */
export function saslPrep(value: string, argument: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(argument, `expected a string, got ${typeof value}`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      throw new InvalidArgumentError(argument, `SCRAM-SHA-256 here takes printable ASCII only (SASLprep of other characters is not implemented), found U+${c.toString(16).toUpperCase().padStart(4, '0')}`);
    }
  }
  return value;
}

/** saslname (RFC 5802 section 5.1): ',' as '=2C' and '=' as '=3D'. */
export function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** The reverse of {@link encodeSaslName}; undefined for any other '=' sequence. */
export function decodeSaslName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/**
 * The attributes of a SCRAM message (`k=value,...`), in order. A mandatory extension (`m=`) or a
 * malformed attribute is a typed error.
 */
export function parseAttributes(message: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (!/^[a-zA-Z]=/.test(part)) throw scramError('SCRAM_INVALID_MESSAGE', `${what}: malformed attribute '${part.slice(0, 20)}'`);
    const key = part[0]!;
    if (key === 'm') throw scramError('SCRAM_INVALID_MESSAGE', `${what}: mandatory extensions are not supported`);
    if (out.has(key)) throw scramError('SCRAM_INVALID_MESSAGE', `${what}: attribute '${key}' repeated`);
    out.set(key, part.slice(2));
  }
  return out;
}

export function required(attributes: Map<string, string>, key: string, what: string): string {
  const value = attributes.get(key);
  if (value === undefined || value === '') throw scramError('SCRAM_INVALID_MESSAGE', `${what}: attribute '${key}' missing`);
  return value;
}

/** A printable nonce (RFC 5802: printable ASCII except ','). */
export function isNonce(value: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(value);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Map<string, number>(Array.from(ALPHABET, (c, i) => [c, i]));

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : '=';
  }
  return out;
}

/** Strict base64 (padded, canonical alphabet); undefined for anything else. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = (LOOKUP.get(text[i]!)! << 18) | (LOOKUP.get(text[i + 1]!)! << 12) | ((LOOKUP.get(text[i + 2]!) ?? 0) << 6) | (LOOKUP.get(text[i + 3]!) ?? 0);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
