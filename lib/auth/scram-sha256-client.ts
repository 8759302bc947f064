import { InvalidArgumentError } from '../errors.js';
import type { ClientAuthentication } from './authentication.js';
import {
  encodeSaslName,
  fromBase64,
  hmac,
  isNonce,
  messageText,
  parseAttributes,
  randomNonce,
  required,
  saltedPassword,
  saslPrep,
  sameBytes,
  scramError,
  sha256,
  toBase64,
  utf8,
  xor,
} from './scram-core.js';

/** Options of {@link scramSha256Client}. */
export interface ScramClientOptions {
  /** The user name (printable ASCII; see {@link scramSha256Client} on SASLprep). */
  readonly username: string;
  /** The password (printable ASCII). */
  readonly password: string;
  /** The lowest iteration count accepted from the server. Default 4096 (RFC 7677 section 4). */
  readonly minIterations?: number;
  /** Makes each exchange's client nonce. Default: 18 random bytes in base64. For tests only. */
  readonly createNonce?: () => string;
}

/** The gs2 header: no channel binding, no authorization identity. `c=` carries it in base64 ("biws"). */
const GS2_HEADER = 'n,,';

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) for the client's `authentication` option, on WebCrypto
 * (browser-safe). Method `SCRAM-SHA-256`; `data` is the client-first-message (`n,,n=user,r=nonce`,
 * a fresh nonce each time it is read: each connection attempt and each `reauthenticate()`);
 * `onChallenge` answers the server-first-message with the client-final-message (with the proof),
 * and checks the server-final-message's signature (`v=`) in the CONNACK or in the AUTH ending a
 * re-authentication, so the client knows the server holds the credentials.
 *
 * SASLprep: user names and passwords must be printable ASCII (U+0020 to U+007E), for which SASLprep
 * is the identity; others throw InvalidArgumentError at once. No channel binding (`n,,`).
 *
 * Errors (the connection attempt fails with `AUTH_FAILED` whose `cause` is one of these):
 * `SCRAM_INVALID_MESSAGE` (a malformed server message, or a server `e=` error),
 * `SCRAM_NONCE_MISMATCH` (the server's nonce does not extend ours), `SCRAM_WEAK_ITERATIONS` (below
 * `minIterations`), `SCRAM_BAD_SERVER_SIGNATURE` (the server does not know the password),
 * `SCRAM_UNEXPECTED` (a message out of order, or success without the server's signature).
 *
 * @example
 * ```ts
 * import { connectAsync, scramSha256Client } from 'rxmqtt';
 * const client = await connectAsync('wss://broker.example.com/mqtt', {
 *   protocolVersion: 5,
 *   authentication: scramSha256Client({ username: 'sensor-7', password: 'pencil' }),
 * });
 * await client.reauthenticate(); // a new SCRAM exchange on the live connection
 * ```
 */
export function scramSha256Client(options: ScramClientOptions): ClientAuthentication {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { username, password }');
  const username = saslPrep(options.username, 'username');
  const password = saslPrep(options.password, 'password');
  const minIterations = options.minIterations ?? 4096;
  if (!(Number.isInteger(minIterations) && minIterations >= 1)) {
    throw new InvalidArgumentError('minIterations', `must be an integer >= 1, got ${String(minIterations)}`);
  }
  const createNonce = options.createNonce ?? randomNonce;
  // The exchange in progress: what the next server message is checked against.
  let state: { step: 'first'; nonce: string; bare: string } | { step: 'final'; serverSignature: Uint8Array } | { step: 'done' } = { step: 'done' };

  async function final(serverFirst: string, nonce: string, bare: string): Promise<Uint8Array> {
    const attributes = parseAttributes(serverFirst, 'server-first-message');
    const serverNonce = required(attributes, 'r', 'server-first-message');
    // RFC 5802 section 5.1: the server's nonce starts with the client's and adds its own part.
    if (!serverNonce.startsWith(nonce) || serverNonce.length === nonce.length || !isNonce(serverNonce)) {
      throw scramError('SCRAM_NONCE_MISMATCH', 'the server nonce does not extend the client nonce');
    }
    const salt = fromBase64(required(attributes, 's', 'server-first-message'));
    if (salt === undefined || salt.length === 0) throw scramError('SCRAM_INVALID_MESSAGE', 'server-first-message: the salt is not base64');
    const iterationsText = required(attributes, 'i', 'server-first-message');
    const iterations = /^[1-9][0-9]{0,9}$/.test(iterationsText) ? Number(iterationsText) : NaN;
    if (!(iterations <= 0xffffffff)) throw scramError('SCRAM_INVALID_MESSAGE', `server-first-message: bad iteration count '${iterationsText}'`);
    if (iterations < minIterations) throw scramError('SCRAM_WEAK_ITERATIONS', `the server asks for ${iterations} iterations, fewer than ${minIterations}`);
    const salted = await saltedPassword(password, salt, iterations);
    const clientKey = await hmac(salted, utf8('Client Key'));
    const storedKey = await sha256(clientKey);
    const withoutProof = `c=${toBase64(utf8(GS2_HEADER))},r=${serverNonce}`;
    const authMessage = utf8(`${bare},${serverFirst},${withoutProof}`);
    const clientSignature = await hmac(storedKey, authMessage);
    const serverKey = await hmac(salted, utf8('Server Key'));
    state = { step: 'final', serverSignature: await hmac(serverKey, authMessage) };
    return utf8(`${withoutProof},p=${toBase64(xor(clientKey, clientSignature))}`);
  }

  function verify(serverFinal: string, expected: Uint8Array): void {
    const attributes = parseAttributes(serverFinal, 'server-final-message');
    const error = attributes.get('e');
    if (error !== undefined) throw scramError('SCRAM_INVALID_MESSAGE', `the server refused: ${error}`);
    const signature = fromBase64(required(attributes, 'v', 'server-final-message'));
    if (signature === undefined || !sameBytes(signature, expected)) {
      throw scramError('SCRAM_BAD_SERVER_SIGNATURE', 'the server signature is wrong: the server does not know the credentials');
    }
  }

  return {
    method: 'SCRAM-SHA-256',
    get data(): Uint8Array {
      const nonce = createNonce();
      if (!isNonce(nonce)) throw new InvalidArgumentError('createNonce', 'a nonce is printable ASCII without \',\'');
      const bare = `n=${encodeSaslName(username)},r=${nonce}`;
      state = { step: 'first', nonce, bare };
      return utf8(GS2_HEADER + bare);
    },
    async onChallenge(data, reasonCode) {
      const current = state;
      state = { step: 'done' }; // a message is answered once
      if (reasonCode === 0x18 && current.step === 'first') {
        return final(messageText(data, 'server-first-message'), current.nonce, current.bare);
      }
      if (reasonCode === 0x00 && current.step === 'final') {
        verify(messageText(data, 'server-final-message'), current.serverSignature);
        return undefined;
      }
      throw scramError('SCRAM_UNEXPECTED', reasonCode === 0x00 ? 'the server reported success before proving it knows the credentials' : 'a challenge out of order');
    },
  };
}
