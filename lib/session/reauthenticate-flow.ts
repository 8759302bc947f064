import type { ClientAuthentication } from '../auth/authentication.js';
import type { AuthPacket, Packet } from '../codec/packet.js';
import { ConnectionClosedError, InvalidArgumentError, MqttError, ProtocolError } from '../errors.js';
import { authFailed } from './connect-handshake.js';

/**
 * MQTT 5 re-authentication on a live connection (section 4.12.1): {@link start} sends AUTH 0x19
 * with the CONNECT's Authentication Method [MQTT-4.12.1-1]; each AUTH 0x18 from the server is
 * answered by `onChallenge` (AUTH 0x18 [MQTT-4.12.0-3]); AUTH 0x00 hands its data to `onChallenge`
 * (reason code 0x00) and resolves. One re-authentication at a time. Hot: it belongs to one
 * connection and ends with it ({@link end}).
 *
 * Errors (the promise of {@link start}): InvalidArgumentError without the `authentication` option;
 * `MqttError` code `AUTH_IN_PROGRESS` while one runs; code `AUTH_FAILED`: an `onChallenge` that
 * threw (the client sends DISCONNECT 0x80 and closes [MQTT-4.12.1-2]), or a
 * {@link ConnectionClosedError} when the connection ended first (the server ends it on failure,
 * usually after DISCONNECT 0x87, whose code is in `reasonCode`). AUTH packets that break the
 * protocol throw a ProtocolError from {@link onAuth} (the connection closes with it).
 *
 * @example
 * ```ts
 * const flow = new ReauthenticateFlow(authentication, (p) => channel.send(p), (e) => session.close(e));
 * await flow.start(); // AUTH 0x19 ... AUTH 0x00
 * ```
 */
export class ReauthenticateFlow {
  private pending: { resolve: () => void; reject: (error: MqttError) => void } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly authentication: ClientAuthentication | undefined,
    private readonly send: (packet: Packet) => boolean,
    private readonly fail: (error: MqttError) => void,
  ) {}

  /** Sends AUTH 0x19 and resolves once the server answers AUTH 0x00 (Success). */
  start(data?: Uint8Array): Promise<void> {
    const auth = this.authentication;
    if (auth === undefined) {
      // Without an Authentication Method in CONNECT the client must not send AUTH [MQTT-4.12.0-7].
      return Promise.reject(new InvalidArgumentError('authentication', 'reauthenticate() needs the authentication option (MQTT 5)', { specRef: 'MQTT-4.12.0-7' }));
    }
    if (data !== undefined && !(data instanceof Uint8Array)) return Promise.reject(new InvalidArgumentError('data', 'expected a Uint8Array'));
    if (this.ended) return Promise.reject(new ConnectionClosedError('the connection is closed'));
    if (this.pending !== undefined) return Promise.reject(new MqttError('AUTH_IN_PROGRESS', 'a re-authentication is already running'));
    return new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
      try {
        const authenticationData = data ?? auth.data; // a getter may start a fresh exchange
        this.send({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: auth.method, ...(authenticationData ? { authenticationData } : {}) } });
      } catch (error) {
        this.pending = undefined;
        reject(error instanceof MqttError ? error : authFailed(error));
      }
    });
  }

  /** An AUTH from the server on the live connection. Throws ProtocolError for one not allowed here. */
  onAuth(packet: AuthPacket): void {
    const auth = this.authentication;
    // No Authentication Method in CONNECT: the server must not send AUTH [MQTT-4.12.0-6].
    if (auth === undefined) throw new ProtocolError('AUTH from a server that was not asked for enhanced authentication', { specRef: 'MQTT-4.12.0-6' });
    if (packet.properties?.authenticationMethod !== auth.method) throw new ProtocolError('AUTH with another Authentication Method', { specRef: 'MQTT-4.12.0-5' });
    const code = packet.reasonCode ?? 0;
    // 0x19 is the client's to send [MQTT-3.15.2-1]; 0x00 and 0x18 only answer our re-authentication.
    if (this.pending === undefined || (code !== 0x00 && code !== 0x18)) {
      throw new ProtocolError(`AUTH 0x${code.toString(16).padStart(2, '0')} with no re-authentication running`, { specRef: 'MQTT-3.15.2-1' });
    }
    const data = packet.properties?.authenticationData;
    this.chain = this.chain.then(async () => {
      let answer: Uint8Array | void;
      try {
        answer = await auth.onChallenge?.(data, code);
      } catch (error) {
        return this.abort(authFailed(error));
      }
      const pending = this.pending;
      if (this.ended || pending === undefined) return;
      if (code === 0x00) {
        this.pending = undefined;
        return pending.resolve();
      }
      this.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: auth.method, ...(answer ? { authenticationData: answer } : {}) } });
    }).catch((error: unknown) => this.abort(error instanceof MqttError ? error : authFailed(error)));
  }

  /** The connection ended: a running re-authentication fails with AUTH_FAILED (`cause`: why it ended). */
  end(closed: ConnectionClosedError): void {
    this.ended = true;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(new ConnectionClosedError(`re-authentication failed: ${closed.message}`, { code: 'AUTH_FAILED', reasonCode: closed.reasonCode, cause: closed }));
  }

  /** The client gives up: DISCONNECT 0x80 and close [MQTT-4.12.1-2]. */
  private abort(error: MqttError): void {
    if (this.ended) return;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
    try {
      this.send({ type: 'disconnect', reasonCode: 0x80 });
    } catch {
      // Closing regardless.
    }
    this.fail(error);
  }
}
