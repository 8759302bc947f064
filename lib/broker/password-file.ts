import { createHash, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import type { AuthenticateHook } from './auth-hooks.js';

/** One user's stored password: Mosquitto's `$7$` (PBKDF2-SHA512) or `$6$` (salted SHA-512) form. */
interface StoredPassword {
  readonly kind: 6 | 7;
  readonly iterations: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Users and their password hashes, as `mosquitto_passwd` writes them. Made by {@link parsePasswordFile}. */
export interface PasswordFile {
  /** The user names in the file. */
  readonly users: readonly string[];
  /** True when `username` is in the file and `password` (UTF-8 bytes) is theirs. */
  verify(username: string, password: Uint8Array | undefined): boolean;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseHash(value: string, where: string): StoredPassword {
  const parts = value.split('$');
  // '$7$<iterations>$<salt>$<hash>' or '$6$<salt>$<hash>' (split gives a leading empty part)
  const fail = (why: string): never => {
    throw new InvalidArgumentError('password file', `${where}: ${why} (expected a line written by mosquitto_passwd: user:$7$101$salt$hash)`);
  };
  if (parts[0] !== '') fail('the password is not hashed');
  if (parts[1] === '7' && parts.length === 5) {
    const iterations = Number(parts[2]);
    if (!Number.isInteger(iterations) || iterations < 1) fail(`bad iteration count ${JSON.stringify(parts[2])}`);
    if (!BASE64.test(parts[3] ?? '') || !BASE64.test(parts[4] ?? '')) fail('salt or hash is not base64');
    return { kind: 7, iterations, salt: Buffer.from(parts[3] ?? '', 'base64'), hash: Buffer.from(parts[4] ?? '', 'base64') };
  }
  if (parts[1] === '6' && parts.length === 4) {
    if (!BASE64.test(parts[2] ?? '') || !BASE64.test(parts[3] ?? '')) fail('salt or hash is not base64');
    return { kind: 6, iterations: 1, salt: Buffer.from(parts[2] ?? '', 'base64'), hash: Buffer.from(parts[3] ?? '', 'base64') };
  }
  return fail(`unknown hash format '$${parts[1] ?? ''}$'`);
}

function digest(stored: StoredPassword, password: Buffer): Buffer {
  if (stored.kind === 7) return pbkdf2Sync(password, stored.salt, stored.iterations, stored.hash.length, 'sha512');
  return createHash('sha512').update(password).update(stored.salt).digest();
}

/**
 * Reads a Mosquitto password file: one `user:hash` per line, as `mosquitto_passwd` writes it
 * (`$7$`: PBKDF2-SHA512, the 2.0 default; `$6$`: salted SHA-512, older files). Blank lines and
 * lines starting with `#` are ignored. Throws {@link InvalidArgumentError} naming the line for
 * anything else, including a plain-text password (run `mosquitto_passwd -U FILE` to hash them).
 *
 * @example
 * ```ts
 * const users = parsePasswordFile(readFileSync('/etc/rxmqtt/passwd', 'utf8'), '/etc/rxmqtt/passwd');
 * users.verify('alice', new TextEncoder().encode('secret')); // true or false
 * ```
 */
export function parsePasswordFile(text: string, name = 'password file'): PasswordFile {
  if (typeof text !== 'string') throw new InvalidArgumentError('text', 'must be a string');
  const entries = new Map<string, StoredPassword>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${name} line ${i + 1}`;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new InvalidArgumentError('password file', `${where}: expected user:hash`);
    const user = line.slice(0, colon);
    if (entries.has(user)) throw new InvalidArgumentError('password file', `${where}: user '${user}' appears twice`);
    entries.set(user, parseHash(line.slice(colon + 1), where));
  });
  return {
    users: [...entries.keys()],
    verify(username, password) {
      const stored = entries.get(username);
      if (stored === undefined || password === undefined) return false;
      const computed = digest(stored, Buffer.from(password.buffer, password.byteOffset, password.byteLength));
      return computed.length === stored.hash.length && timingSafeEqual(computed, stored.hash);
    },
  };
}

/**
 * An authenticate hook from a password file: a client with a username must give that user's
 * password; a client without one is let in only with `allowAnonymous`. A wrong user or password
 * is answered with CONNACK 0x04 (3.1.1) / 0x86 Bad User Name or Password (5.0), an anonymous
 * client when anonymous access is off with 0x05 (3.1.1) / 0x87 Not authorized (5.0).
 *
 * @example
 * ```ts
 * await startBroker({ port: 1883, authenticate: passwordFileAuthenticator(parsePasswordFile(text)) });
 * ```
 */
export function passwordFileAuthenticator(file: PasswordFile, options: { readonly allowAnonymous?: boolean } = {}): AuthenticateHook {
  const allowAnonymous = options.allowAnonymous === true;
  return ({ username, password }) => {
    if (username === undefined) return allowAnonymous ? true : { reasonCode: 0x87 };
    return file.verify(username, password) ? true : { reasonCode: 0x86 };
  };
}
