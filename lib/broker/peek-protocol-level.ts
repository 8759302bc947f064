/**
 * The protocol level byte of a CONNECT at the start of `bytes` (4 for 3.1.1, 5 for 5.0, ...), or
 * undefined when the bytes do not start with a CONNECT or end before its level. Used to answer a
 * CONNECT that failed to decode in the client's own version.
 *
 * @example
 * ```ts
 * peekProtocolLevel(Uint8Array.of(0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05)); // 5
 * ```
 */
export function peekProtocolLevel(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x10) return undefined;
  let i = 1;
  // Remaining Length: up to four bytes, the high bit says another follows.
  while (i < 5 && i < bytes.length && (bytes[i] & 0x80) !== 0) i++;
  i++;
  if (i + 2 > bytes.length) return undefined;
  const nameLength = (bytes[i] << 8) | bytes[i + 1];
  const at = i + 2 + nameLength;
  return at < bytes.length ? bytes[at] : undefined;
}
