import { InvalidArgumentError } from '../errors.js';
import type { ServerAuthExchange, ServerAuthMethod, ServerAuthStep } from './authentication.js';
import {
  decodeSaslName,
  fromBase64,
  hmac,
  isNonce,
  messageText,
  parseAttributes,
  randomBytes,
  randomNonce,
  required,
  saltedPassword,
  sameBytes,
  sha256,
  toBase64,
  utf8,
  xor,
} from './scram-core.js';

/** What the server stores for a SCRAM-SHA-256 user (RFC 5802 section 2.2): never the password. */
export interface ScramCredentials {
  /** The user's salt. */
  readonly salt: Uint8Array;
  /** The PBKDF2 iteration count. */
  readonly iterations: number;
  /** H(ClientKey): checks the client's proof. */
  readonly storedKey: Uint8Array;
  /** HMAC(SaltedPassword, "Server Key"): signs the server-final-message. */
  readonly serverKey: Uint8Array;
}

/** Options of {@link deriveScramCredentials}. */
export interface DeriveScramOptions {
  /** Default: 16 random bytes. */
  readonly salt?: Uint8Array;
  /** Default 4096 (the RFC 7677 minimum). */
  readonly iterations?: number;
}

/**
 * Derives the stored credentials of a SCRAM-SHA-256 user from a password (printable ASCII, for
 * which SASLprep is the identity; other characters are refused rather than prepared differently). Throws InvalidArgumentError for a bad password or options.
 *
 * @example
 * ```ts
 * const alice = await deriveScramCredentials('pencil', { iterations: 4096 });
 * const users = new Map([['alice', alice]]);
 * ```
 */
export async function deriveScramCredentials(password: string, options: DeriveScramOptions = {}): Promise<ScramCredentials> {
  const iterations = options.iterations ?? 4096;
  if (!(Number.isInteger(iterations) && iterations >= 1 && iterations <= 0xffffffff)) {
    throw new InvalidArgumentError('iterations', `must be a positive integer, got ${String(iterations)}`);
  }
  const salt = options.salt ?? randomBytes(16);
  if (!(salt instanceof Uint8Array) || salt.length === 0) throw new InvalidArgumentError('salt', 'expected a non-empty Uint8Array');
  const salted = await saltedPassword(password, salt, iterations);
  return {
    salt: salt.slice(),
    iterations,
    storedKey: await sha256(await hmac(salted, utf8('Client Key'))),
    serverKey: await hmac(salted, utf8('Server Key')),
  };
}

/** Options of {@link scramSha256Server}. */
export interface ScramServerOptions {
  /** The stored credentials of a user name, or undefined for an unknown user. May be async. */
  readonly lookup: (username: string) => ScramCredentials | undefined | Promise<ScramCredentials | undefined>;
  /** Makes each exchange's server part of the nonce. Default: 18 random bytes in base64. For tests only. */
  readonly createNonce?: () => string;
}

const refuse = (reason: string): ServerAuthStep => ({ kind: 'failure', reasonCode: 0x87, reason });

/**
 * The broker side of SCRAM-SHA-256 (RFC 5802, RFC 7677), for the broker's `enhancedAuth` option
 * under the method name `SCRAM-SHA-256`. Each exchange reads the client-first-message, answers the
 * server-first-message (AUTH 0x18), checks the client's proof against the stored key and ends with
 * success carrying the server-final-message (`v=` signature), or a failure 0x87 (Not authorized):
 * for a wrong password, a changed nonce, a malformed message or channel binding asked for. An
 * unknown user gets a made-up salt and fails at the proof, so the exchange does not tell which
 * user names exist.
 *
 * @example
 * ```ts
 * import { deriveScramCredentials, scramSha256Server, startBroker } from 'rxmqtt/broker';
 * const users = new Map([['alice', await deriveScramCredentials('pencil')]]);
 * const broker = await startBroker({ port: 0, enhancedAuth: { 'SCRAM-SHA-256': scramSha256Server({ lookup: (name) => users.get(name) }) } });
 * ```
 */
export function scramSha256Server(options: ScramServerOptions): ServerAuthMethod {
  if (options === null || typeof options !== 'object' || typeof options.lookup !== 'function') {
    throw new InvalidArgumentError('lookup', 'expected a function (username) => credentials | undefined');
  }
  const createNonce = options.createNonce ?? randomNonce;
  return () => {
    let step: 'first' | 'final' | 'done' = 'first';
    let expected: { nonce: string; authStart: string; header: string; credentials: ScramCredentials; known: boolean } | undefined;
    const exchange: ServerAuthExchange = async (data) => {
      if (step === 'first') {
        step = 'final';
        const message = messageText(data, 'client-first-message');
        // gs2-header: 'n' (no channel binding) or 'y' (client could, thinks we cannot); no authzid.
        const match = /^([ny]),,(.*)$/.exec(message);
        if (match === null) return refuse('channel binding and authorization identities are not supported');
        const bare = match[2]!;
        const attributes = parseAttributes(bare, 'client-first-message');
        const username = decodeSaslName(required(attributes, 'n', 'client-first-message'));
        const clientNonce = required(attributes, 'r', 'client-first-message');
        if (username === undefined || !isNonce(clientNonce)) return refuse('malformed client-first-message');
        const found = await options.lookup(username);
        // An unknown user goes on with a made-up salt, so the answer does not reveal it.
        const credentials = found ?? { salt: randomBytes(16), iterations: 4096, storedKey: randomBytes(32), serverKey: randomBytes(32) };
        const nonce = clientNonce + createNonce();
        const serverFirst = `r=${nonce},s=${toBase64(credentials.salt)},i=${credentials.iterations}`;
        expected = { nonce, authStart: `${bare},${serverFirst}`, header: `${match[1]!},,`, credentials, known: found !== undefined };
        return { kind: 'continue', data: utf8(serverFirst) };
      }
      if (step === 'final' && expected !== undefined) {
        step = 'done';
        const message = messageText(data, 'client-final-message');
        const proofAt = message.lastIndexOf(',p=');
        if (proofAt < 0) return refuse('client-final-message without proof');
        const withoutProof = message.slice(0, proofAt);
        const attributes = parseAttributes(withoutProof, 'client-final-message');
        if (attributes.get('c') !== toBase64(utf8(expected.header))) return refuse('channel binding data does not match');
        // The nonce must be the one of this exchange (RFC 5802 section 5.1): no replay of another's.
        if (attributes.get('r') !== expected.nonce) return refuse('the nonce was changed');
        const proof = fromBase64(message.slice(proofAt + 3));
        if (proof === undefined || proof.length !== 32) return refuse('malformed proof');
        const authMessage = utf8(`${expected.authStart},${withoutProof}`);
        const { storedKey, serverKey } = expected.credentials;
        const clientKey = xor(proof, await hmac(storedKey, authMessage));
        if (!sameBytes(await sha256(clientKey), storedKey) || !expected.known) return refuse('invalid proof');
        return { kind: 'success', data: utf8(`v=${toBase64(await hmac(serverKey, authMessage))}`) };
      }
      return refuse('the exchange is over');
    };
    return exchange;
  };
}

