import { InvalidArgumentError, MqttError } from '../../lib/errors';
import { scramSha256Client } from '../../lib/auth/scram-sha256-client';
import { deriveScramCredentials, scramSha256Server, type ScramCredentials } from '../../lib/auth/scram-sha256-server';
import type { ServerAuthStep } from '../../lib/auth/authentication';

// RFC 7677 section 3: user "user", password "pencil", 4096 iterations.
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE_PART = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const text = (data: Uint8Array | void | undefined): string => new TextDecoder().decode(data as Uint8Array);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

let pencil: ScramCredentials;
beforeAll(async () => {
  pencil = await deriveScramCredentials('pencil', { salt: SALT, iterations: 4096 });
});

function rfcClient(password = 'pencil') {
  return scramSha256Client({ username: 'user', password, createNonce: () => CLIENT_NONCE });
}
function rfcServer(lookup: (name: string) => ScramCredentials | undefined = (name) => (name === 'user' ? pencil : undefined)) {
  return scramSha256Server({ lookup, createNonce: () => SERVER_NONCE_PART })({ clientId: 'c', username: undefined, reauthenticate: false });
}
function dataOf(step: ServerAuthStep): Uint8Array {
  if (step.kind === 'failure') throw new Error(`unexpected failure: ${step.reason}`);
  return step.data as Uint8Array;
}

describe('SCRAM-SHA-256: the RFC 7677 section 3 test vector', () => {
  it('client: client-first-message and client-final-message byte for byte, and accepts the server signature', async () => {
    const auth = rfcClient();
    expect(auth.method).toBe('SCRAM-SHA-256');
    expect(text(auth.data)).toBe(CLIENT_FIRST);
    expect(text(await auth.onChallenge!(bytes(SERVER_FIRST), 0x18))).toBe(CLIENT_FINAL);
    await expect(auth.onChallenge!(bytes(SERVER_FINAL), 0x00)).resolves.toBeUndefined();
  });

  it('server: server-first-message and server-final-message byte for byte', async () => {
    const exchange = rfcServer();
    const first = await exchange(bytes(CLIENT_FIRST));
    expect(first.kind).toBe('continue');
    expect(text(dataOf(first))).toBe(SERVER_FIRST);
    const final = await exchange(bytes(CLIENT_FINAL));
    expect(final.kind).toBe('success');
    expect(text(dataOf(final))).toBe(SERVER_FINAL);
  });

  it('derives the stored credentials the vector implies (the server signature checks out)', () => {
    expect(pencil.iterations).toBe(4096);
    expect(Buffer.from(pencil.salt).toString('base64')).toBe('W22ZaJ0SNY7soEsUEjb6gQ==');
    expect(pencil.storedKey).toHaveLength(32);
    expect(pencil.serverKey).toHaveLength(32);
  });
});

describe('SCRAM-SHA-256 failures', () => {
  it('a wrong password: the server refuses the proof with 0x87', async () => {
    const client = rfcClient('pencil!');
    const exchange = rfcServer();
    const first = await exchange(client.data);
    const final = await exchange((await client.onChallenge!(dataOf(first), 0x18)) as Uint8Array);
    expect(final).toEqual({ kind: 'failure', reasonCode: 0x87, reason: 'invalid proof' });
  });

  it('an unknown user gets a challenge like any other, then 0x87', async () => {
    const exchange = rfcServer(() => undefined);
    const first = await exchange(bytes(CLIENT_FIRST));
    expect(first.kind).toBe('continue');
    expect(text(dataOf(first))).toMatch(/^r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,s=[A-Za-z0-9+/]+=*,i=4096$/);
    expect(await exchange(bytes(CLIENT_FINAL))).toMatchObject({ kind: 'failure', reasonCode: 0x87 });
  });

  it('a tampered server signature: the client rejects with SCRAM_BAD_SERVER_SIGNATURE', async () => {
    const auth = rfcClient();
    void auth.data;
    await auth.onChallenge!(bytes(SERVER_FIRST), 0x18);
    const tampered = SERVER_FINAL.replace('6rri', '6rrj');
    await expect(auth.onChallenge!(bytes(tampered), 0x00)).rejects.toMatchObject({ code: 'SCRAM_BAD_SERVER_SIGNATURE' });
  });

  it('a server error (e=) and success without any server signature are rejected', async () => {
    const auth = rfcClient();
    void auth.data;
    await auth.onChallenge!(bytes(SERVER_FIRST), 0x18);
    await expect(auth.onChallenge!(bytes('e=invalid-proof'), 0x00)).rejects.toMatchObject({ code: 'SCRAM_INVALID_MESSAGE' });
    void auth.data;
    await expect(auth.onChallenge!(undefined, 0x00)).rejects.toMatchObject({ code: 'SCRAM_UNEXPECTED' });
  });

  it('a server nonce that does not extend the client nonce: SCRAM_NONCE_MISMATCH', async () => {
    const auth = rfcClient();
    void auth.data;
    const changed = SERVER_FIRST.replace('rOprNGfw', 'xOprNGfw');
    await expect(auth.onChallenge!(bytes(changed), 0x18)).rejects.toMatchObject({ code: 'SCRAM_NONCE_MISMATCH' });
    void auth.data;
    await expect(auth.onChallenge!(bytes(`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`), 0x18)).rejects.toMatchObject({ code: 'SCRAM_NONCE_MISMATCH' });
  });

  it('too few iterations and malformed server messages are typed errors', async () => {
    const auth = rfcClient();
    void auth.data;
    await expect(auth.onChallenge!(bytes(SERVER_FIRST.replace('i=4096', 'i=1024')), 0x18)).rejects.toMatchObject({ code: 'SCRAM_WEAK_ITERATIONS' });
    for (const bad of ['', 'garbage', `r=${CLIENT_NONCE}x,s=***,i=4096`, `r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0`, `m=ext,r=${CLIENT_NONCE}x`]) {
      void auth.data;
      await expect(auth.onChallenge!(bytes(bad), 0x18)).rejects.toBeInstanceOf(MqttError);
    }
    void auth.data;
    await expect(auth.onChallenge!(Uint8Array.of(0xff, 0xfe), 0x18)).rejects.toMatchObject({ code: 'SCRAM_INVALID_MESSAGE' });
  });

  it('a replayed client-final-message (another exchange\'s nonce) is refused', async () => {
    // A second exchange with a different server nonce: the recorded client-final no longer matches.
    const exchange = scramSha256Server({ lookup: () => pencil, createNonce: () => 'another-server-part' })({ clientId: 'c', username: undefined, reauthenticate: false });
    await exchange(bytes(CLIENT_FIRST));
    expect(await exchange(bytes(CLIENT_FINAL))).toEqual({ kind: 'failure', reasonCode: 0x87, reason: 'the nonce was changed' });
  });

  it('a changed nonce in client-final is refused, and the exchange cannot go on after its end', async () => {
    const exchange = rfcServer();
    await exchange(bytes(CLIENT_FIRST));
    const changed = CLIENT_FINAL.replace('hNlF$k0', 'hNlF$k1');
    expect(await exchange(bytes(changed))).toMatchObject({ kind: 'failure', reason: 'the nonce was changed' });
    expect(await exchange(bytes(CLIENT_FINAL))).toMatchObject({ kind: 'failure', reason: 'the exchange is over' });
  });

  it('the server refuses channel binding, authorization identities and malformed first messages', async () => {
    for (const first of ['p=tls-unique,,n=user,r=abc', 'n,a=admin,n=user,r=abc', 'n,,n=us=er,r=abc', 'n,,r=abc', 'hello']) {
      const step = await Promise.resolve().then(() => rfcServer()(bytes(first))).catch((e: unknown) => e);
      if (step instanceof MqttError) expect(step.code).toBe('SCRAM_INVALID_MESSAGE');
      else expect(step).toMatchObject({ kind: 'failure', reasonCode: 0x87 });
    }
  });

  it('escapes = and , in user names (saslname)', () => {
    const auth = scramSha256Client({ username: 'a=b,c', password: 'p', createNonce: () => 'N' });
    expect(text(auth.data)).toBe('n,,n=a=3Db=2Cc,r=N');
  });

  it('refuses what it cannot SASLprep with InvalidArgumentError', async () => {
    expect(() => scramSha256Client({ username: 'jürgen', password: 'x' })).toThrow(InvalidArgumentError);
    expect(() => scramSha256Client({ username: 'u', password: 'tab\there' })).toThrow(/printable ASCII/);
    await expect(deriveScramCredentials('pässword')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('each read of data starts a new exchange with a fresh nonce', () => {
    const auth = scramSha256Client({ username: 'u', password: 'p' });
    const a = text(auth.data);
    const b = text(auth.data);
    expect(a).toMatch(/^n,,n=u,r=[A-Za-z0-9+/]{24}$/);
    expect(b).not.toBe(a);
  });
});
