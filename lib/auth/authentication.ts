/**
 * The shapes of MQTT 5 enhanced authentication (MQTT 5.0 section 4.12), shared by the client's
 * `authentication` option and the broker's `enhancedAuth` option. Types only: importing this module
 * adds no code to a bundle.
 *
 * @example
 * ```ts
 * const authentication: ClientAuthentication = {
 *   method: 'TOKEN-CHALLENGE',
 *   data: new TextEncoder().encode('sensor-7'),
 *   onChallenge: (challenge, reasonCode) => (reasonCode === 0x18 ? sign(challenge) : undefined),
 * };
 * ```
 *
 * @module
 */

/**
 * The client side of an enhanced authentication method: its name, the data of the first packet
 * (CONNECT, or AUTH 0x19 on re-authentication) and the answer to each challenge.
 *
 * `data` is read once per exchange (each connection attempt and each re-authentication), so a
 * getter may start a fresh exchange each time (as {@link scramSha256Client} does).
 *
 * @example
 * ```ts
 * const client = connect('mqtt://broker.example.com', {
 *   protocolVersion: 5,
 *   authentication: { method: 'TOKEN', data: new TextEncoder().encode(token) },
 * });
 * ```
 */
export interface ClientAuthentication {
  /** The Authentication Method, e.g. `SCRAM-SHA-256`. */
  readonly method: string;
  /** The Authentication Data of the first packet, when the method has any. */
  readonly data?: Uint8Array;
  /**
   * Called with the server's Authentication Data: `reasonCode` 0x18 (Continue authentication) asks
   * for the next AUTH packet's data (the return value); 0x00 (Success, in the CONNACK or in the AUTH
   * ending a re-authentication) hands over the final data, where the method can verify the server
   * (the return value is ignored). A throw or rejection ends the exchange: the client sends
   * DISCONNECT and the attempt fails with `MqttError` code `AUTH_FAILED` (`cause`: what was thrown).
   */
  readonly onChallenge?: (data: Uint8Array | undefined, reasonCode: number) => Uint8Array | void | Promise<Uint8Array | void>;
}

/** What the broker tells an enhanced authentication method about the exchange it starts. */
export interface ServerAuthRequest {
  /** The client identifier of the CONNECT (assigned by the broker when the client sent none). */
  readonly clientId: string;
  /** The CONNECT user name, if any. */
  readonly username: string | undefined;
  /** False for the exchange of a CONNECT, true for a re-authentication (AUTH 0x19). */
  readonly reauthenticate: boolean;
}

/**
 * One step's verdict of a server-side method: `continue` sends AUTH 0x18 with `data`; `success`
 * sends CONNACK 0x00 (or AUTH 0x00 on re-authentication) with `data` as its Authentication Data;
 * `failure` refuses with `reasonCode` (default 0x87 Not authorized) and an optional Reason String.
 */
export type ServerAuthStep =
  | {
      /** Ask the client for more: AUTH 0x18. */
      readonly kind: 'continue';
      /** The challenge: the AUTH 0x18's Authentication Data. */
      readonly data: Uint8Array;
    }
  | {
      /** Accept: CONNACK 0x00, or AUTH 0x00 on re-authentication. */
      readonly kind: 'success';
      /** The final Authentication Data (e.g. SCRAM's server-final-message), if any. */
      readonly data?: Uint8Array;
    }
  | {
      /** Refuse: CONNACK with `reasonCode`, or DISCONNECT on re-authentication. */
      readonly kind: 'failure';
      /** A reason code >= 0x80 valid in CONNACK / DISCONNECT; default (and fallback) 0x87 Not authorized. */
      readonly reasonCode?: number;
      /** Why, for logs (not sent to the client). */
      readonly reason?: string;
    };

/**
 * One exchange of a server-side method: called with the Authentication Data of each packet from the
 * client (the CONNECT's or the AUTH 0x19's first, then each AUTH 0x18's), it answers the next step.
 */
export type ServerAuthExchange = (data: Uint8Array | undefined) => ServerAuthStep | Promise<ServerAuthStep>;

/**
 * A server-side enhanced authentication method: starts one exchange per CONNECT or
 * re-authentication. A throw or rejection anywhere refuses the client as "not authorized".
 *
 * @example
 * ```ts
 * const token: ServerAuthMethod = () => (data) =>
 *   tokens.has(new TextDecoder().decode(data)) ? { kind: 'success' } : { kind: 'failure', reasonCode: 0x87 };
 * const broker = await startBroker({ port: 0, enhancedAuth: { TOKEN: token } });
 * ```
 */
export type ServerAuthMethod = (request: ServerAuthRequest) => ServerAuthExchange;
