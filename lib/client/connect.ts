import { defer, switchMap } from 'rxjs';
import { InvalidArgumentError, MqttError } from '../errors.js';
import { parseBrokerUrl, type BrokerUrl } from '../transport/parse-broker-url.js';
import type { TransportFactory } from '../transport/transport.js';
import { webSocketTransport, type WebSocketConstructor } from '../transport/web-socket-transport.js';
import { buildConnectPacket } from './build-connect-packet.js';
import type { ClientOptions } from './client-options.js';
import { mergeConnectArguments } from './merge-connect-arguments.js';
import { createMqttClient } from './create-mqtt-client.js';
import { whenConnected, type MqttClient } from './mqtt-client.js';
import { ServerRotation } from './server-rotation.js';

/**
 * Connects to an MQTT broker over WebSocket (`ws://`, `wss://`) or through `options.transport`, and
 * returns the client at once: it starts connecting immediately (hot) and `state$` shows progress
 * (`connecting`, then `connected` or `closed` with the error). A connection that is lost later is
 * renewed with backoff (`reconnecting`, `connecting`, `connected`) unless `reconnect: false`; a
 * failed first connection closes the client unless `reconnect.retryInitialConnect` (see
 * docs/reliability.md).
 *
 * In the browser the platform `WebSocket` is used. Where there is none (Node before 22), pass one:
 * `connect(url, { WebSocket })` with `import WebSocket from 'ws'`; without it `connect` throws an
 * InvalidArgumentError naming `WebSocket`. `rxmqtt/node` loads `ws` by itself, and also offers
 * `mqtt://` and `mqtts://` (TCP, TLS).
 *
 * Throws {@link InvalidArgumentError} naming the option for invalid options (including an
 * `mqtt://` URL in this browser entry). Connection failures arrive as `state$`'s closed error:
 * ConnectRefusedError, TransportError, TimeoutError (code `CONNECT_TIMEOUT`).
 *
 * @example
 * ```ts
 * import { connect } from 'rxmqtt';
 * const client = connect('wss://broker.example.com:8884/mqtt', { protocolVersion: 5 });
 * client.subscribe('sensors/#', { qos: 1 }).subscribe((m) => console.log(m.topic, m.text()));
 * ```
 */
export function connect(urlOrOptions: string | ClientOptions, options?: ClientOptions): MqttClient {
  return connectWith(webSocketResolver, urlOrOptions, options);
}

/**
 * Like {@link connect}, but resolves with the client once the broker accepted the connection
 * (CONNACK). A failed first connection rejects at once, unless `reconnect.retryInitialConnect`
 * (then failed attempts are retried first and it rejects once the client closed for good). Rejects with ConnectRefusedError (return/reason code and reason string),
 * TransportError, or TimeoutError (code `CONNECT_TIMEOUT`); throws InvalidArgumentError for
 * invalid options.
 *
 * @example
 * ```ts
 * const client = await connectAsync('ws://localhost:8080/mqtt');
 * await client.publishAsync('greetings', 'hello', { qos: 1 });
 * await client.disconnect();
 * ```
 */
export function connectAsync(urlOrOptions: string | ClientOptions, options?: ClientOptions): Promise<MqttClient> {
  return connectAsyncWith(webSocketResolver, urlOrOptions, options);
}

/**
 * Turns a broker URL (parsed from `options.url`, undefined when there was none) into the transport
 * to open, for one platform: the browser entry offers WebSocket, `rxmqtt/node` TCP, TLS and
 * WebSocket. It throws InvalidArgumentError for a URL its platform cannot open.
 *
 * @example
 * ```ts
 * const wsOnly: TransportResolver = (url) => webSocketTransport({ url: url!.url });
 * ```
 */
export type TransportResolver<O extends ClientOptions = ClientOptions> = (url: BrokerUrl | undefined, options: O) => TransportFactory;

/**
 * The one `connect`: validates the arguments, builds the CONNECT packet and creates the client on
 * the transport `options.transport` gives, or else the one `resolve` makes of the URL. Each entry's
 * `connect` is this with its platform's resolver (NATS.js style: `connect(options, transportFactory)`).
 * Hot, like `connect`. Throws InvalidArgumentError naming the option for invalid options.
 *
 * @example
 * ```ts
 * const client = connectWith(webSocketResolver, 'ws://localhost:8080/mqtt', { protocolVersion: 5 });
 * ```
 */
export function connectWith<O extends ClientOptions>(resolve: TransportResolver<O>, urlOrOptions: string | O, options?: O): MqttClient {
  const merged = mergeConnectArguments<O>(urlOrOptions, options);
  const connectPacket = buildConnectPacket(merged);
  const follow = merged.followServerReference;
  if (follow !== undefined && typeof follow !== 'boolean') throw new InvalidArgumentError('followServerReference', `expected a boolean, got ${typeof follow}`);
  const servers = merged.servers;
  const sign = merged.signUrl;
  if (sign !== undefined && typeof sign !== 'function') throw new InvalidArgumentError('signUrl', 'expected a function (url, attempt) => url | Promise<url>');
  const open = sign === undefined ? (url: BrokerUrl) => resolve(url, merged) : signedOpen(resolve, merged, sign);
  if (servers === undefined && follow !== true && sign === undefined) return createMqttClient(merged, connectPacket, transportOf(resolve, merged));
  if (merged.transport !== undefined) throw new InvalidArgumentError('transport', 'give either a transport or servers/followServerReference/signUrl, not both');
  const urls = serverList(servers, merged.url);
  const rotation = new ServerRotation(urls, open);
  const client = createMqttClient(withInitialFailover(merged, urls.length > 1 || follow === true), connectPacket, rotation.factory);
  if (follow === true) {
    // The next attempt goes where a Server Reference (CONNACK or DISCONNECT 0x9C / 0x9D) points.
    client.state$.subscribe((state) => {
      if (state.status !== 'reconnecting') return;
      const reference = (state.cause as { serverReference?: unknown }).serverReference;
      if (typeof reference === 'string') rotation.redirect(reference);
    });
  }
  return client;
}

/**
 * Opens `url` after `sign` rewrote it, before each attempt (a presigned URL expires: each
 * reconnect gets a fresh one). A rejection fails that attempt with MqttError `SIGN_URL_FAILED`
 * (retried like a failed connection); an invalid URL with InvalidArgumentError naming `signUrl`
 * (not retried, like other invalid options).
 */
function signedOpen<O extends ClientOptions>(
  resolve: TransportResolver<O>,
  options: O,
  sign: NonNullable<ClientOptions['signUrl']>,
): (url: BrokerUrl) => TransportFactory {
  let attempt = 0;
  return (url) => () =>
    defer(async () => {
      let signed: string;
      try {
        signed = await sign(unsignedUrl(url), ++attempt);
      } catch (error) {
        // E.g. fetching credentials failed: worth another attempt, like a failed connection.
        throw new MqttError('SIGN_URL_FAILED', `signUrl failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      try {
        const parsed = parseBrokerUrl(signed);
        // A WebSocket URL keeps its query: that is where a presigned URL carries the signature.
        if (parsed.protocol === 'ws' || parsed.protocol === 'wss') return { ...parsed, url: `${parsed.url}${new URL(signed).search}` };
        return parsed;
      } catch (error) {
        throw new InvalidArgumentError('signUrl', `returned an invalid URL: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }).pipe(switchMap((signed) => resolve(signed, options)()));
}

/** The URL text of a parsed broker URL, as `signUrl` receives it. */
function unsignedUrl(url: BrokerUrl): string {
  if (url.protocol === 'ws' || url.protocol === 'wss') return url.url;
  return `${url.protocol === 'tcp' ? 'mqtt' : 'mqtts'}://${url.host}:${url.port}`;
}

/**
 * With several servers (or Server References to follow), a failed first attempt moves on to the
 * next server instead of closing the client: `reconnect.retryInitialConnect` defaults to true.
 */
function withInitialFailover<O extends ClientOptions>(options: O, failover: boolean): O {
  const reconnect = options.reconnect;
  if (!failover || reconnect === false) return options;
  if (reconnect === undefined || reconnect === true) return { ...options, reconnect: { retryInitialConnect: true } };
  if (typeof reconnect !== 'object' || reconnect === null || reconnect.retryInitialConnect !== undefined) return options; // validated by the client
  return { ...options, reconnect: { ...reconnect, retryInitialConnect: true } };
}

/** The servers of a client: `servers`, or the one `url`. Throws InvalidArgumentError for a bad list or both given. */
function serverList(servers: readonly string[] | undefined, url: string | undefined): readonly string[] {
  if (servers === undefined) {
    if (url === undefined) throw new InvalidArgumentError('url', 'give a broker URL, servers, or a transport');
    return [url];
  }
  if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string')) {
    throw new InvalidArgumentError('servers', 'expected a non-empty array of broker URLs');
  }
  if (url !== undefined) throw new InvalidArgumentError('servers', 'give either url or servers, not both');
  return servers;
}

/**
 * {@link connectWith}, resolving with the client once the broker accepted the connection (see
 * {@link connectAsync}); invalid options reject with InvalidArgumentError.
 *
 * @example
 * ```ts
 * const client = await connectAsyncWith(webSocketResolver, 'ws://localhost:8080/mqtt');
 * ```
 */
export function connectAsyncWith<O extends ClientOptions>(resolve: TransportResolver<O>, urlOrOptions: string | O, options?: O): Promise<MqttClient> {
  try {
    return whenConnected(connectWith(resolve, urlOrOptions, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The transport {@link connectWith} opens for already merged options: `options.transport`, or the
 * resolver's for the URL. Throws InvalidArgumentError for a `transport` that is not a function.
 *
 * @example
 * ```ts
 * const transport = transportOf(webSocketResolver, mergeConnectArguments('ws://localhost:8080', undefined));
 * ```
 */
export function transportOf<O extends ClientOptions>(resolve: TransportResolver<O>, options: O & { brokerUrl?: BrokerUrl }): TransportFactory {
  if (options.transport !== undefined) {
    if (typeof options.transport !== 'function') throw new InvalidArgumentError('transport', 'expected a TransportFactory function');
    return options.transport;
  }
  return resolve(options.brokerUrl, options);
}

/**
 * The browser entry's resolver: a WebSocket for `ws://` and `wss://` (the platform's, or
 * `options.WebSocket`); InvalidArgumentError for a missing URL, a platform without WebSocket, or a
 * URL needing TCP.
 *
 * @example
 * ```ts
 * const factory = webSocketResolver(parseBrokerUrl('wss://broker.example.com/mqtt'), {});
 * ```
 */
export function webSocketResolver(url: BrokerUrl | undefined, options: ClientOptions): TransportFactory {
  if (url === undefined) throw new InvalidArgumentError('url', 'give a broker URL (ws:// or wss://) or a transport');
  if (url.protocol === 'ws' || url.protocol === 'wss') {
    if (options.WebSocket === undefined && typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
      throw new InvalidArgumentError(
        'WebSocket',
        "this platform has no global WebSocket: pass one, connect(url, { WebSocket }) with `import WebSocket from 'ws'`, " +
          "or in Node import { connect } from 'rxmqtt/node', which loads 'ws' by itself",
      );
    }
    return webSocketTransport({
      url: url.url,
      WebSocket: options.WebSocket as WebSocketConstructor | undefined,
      connectTimeout: options.connectTimeout,
      protocols: options.wsProtocols,
    });
  }
  throw new InvalidArgumentError(
    'url',
    `${String(options.url)} needs a TCP connection, which browsers do not offer: ` +
      "use ws:// or wss://, or import { connect } from 'rxmqtt/node'",
  );
}
