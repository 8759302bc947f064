import { defer, from, map, switchMap, type Observable } from 'rxjs';
import type { ClientOptions } from '../client/client-options.js';
import { mergeConnectArguments } from '../client/merge-connect-arguments.js';
import { connectAsyncWith, connectWith, transportOf } from '../client/connect.js';
import type { MqttClient } from '../client/mqtt-client.js';
import { InvalidArgumentError, TransportError } from '../errors.js';
import type { BrokerUrl } from '../transport/parse-broker-url.js';
import { rejectHttpReply } from '../transport/reject-http-reply.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { webSocketTransport, type WebSocketConstructor } from '../transport/web-socket-transport.js';
import { tcpTransport } from './tcp-transport.js';
import { tlsTransport, type TlsClientOptions } from './tls-transport.js';

/** {@link ClientOptions} plus the TLS options of `mqtts://` and `wss://` in Node. */
export interface NodeClientOptions extends ClientOptions, TlsClientOptions {
  /**
   * TLS ALPN protocols offered on `mqtts://` (e.g. `['x-amzn-mqtt-ca']` for AWS IoT Core's MQTT on
   * port 443). With `servername` (SNI), this is what managed brokers that share port 443 with HTTPS
   * need.
   *
   * @example
   * ```ts
   * connect('mqtts://abc-ats.iot.eu-west-1.amazonaws.com:443', { alpnProtocols: ['x-amzn-mqtt-ca'], cert, key });
   * ```
   */
  readonly alpnProtocols?: readonly string[];
  /**
   * Extra HTTP headers of the WebSocket upgrade request on `ws://` and `wss://` (through the `ws`
   * package), e.g. an authorization header a managed broker's gateway asks for. Browsers do not let
   * pages set these: use `signUrl` there.
   *
   * @example
   * ```ts
   * connect('wss://broker.example.com/mqtt', { wsHeaders: { Authorization: `Bearer ${token}` } });
   * ```
   */
  readonly wsHeaders?: Readonly<Record<string, string>>;
}

/**
 * Connects to an MQTT broker from Node: `mqtt://` / `tcp://` (TCP, port 1883), `mqtts://` /
 * `ssl://` / `tls://` (TLS, 8883, certificate verified unless `rejectUnauthorized: false`),
 * `ws://` / `wss://` (WebSocket through the `ws` package, loaded when first needed, or
 * `options.WebSocket`), or `options.transport`. Returns the client at once; it starts connecting
 * immediately (hot) and `state$` shows progress. Credentials in the URL fill `username`/`password`.
 * Lost connections are renewed with backoff unless `reconnect: false`; a failed first connection
 * closes the client unless `reconnect.retryInitialConnect` (docs/reliability.md).
 *
 * Throws InvalidArgumentError naming the option for invalid options. Connection failures arrive as
 * `state$`'s closed error: ConnectRefusedError, TransportError (also when `ws` is not installed),
 * TimeoutError (code `CONNECT_TIMEOUT`).
 *
 * @example
 * ```ts
 * import { connect } from 'rxmqtt/node';
 * const client = connect('mqtt://localhost:1883', { clientId: 'sensor-1' });
 * client.publish('sensors/1/temp', '21.5', { qos: 1 }).subscribe({ complete: () => console.log('acknowledged') });
 * ```
 */
export function connect(urlOrOptions: string | NodeClientOptions, options?: NodeClientOptions): MqttClient {
  return connectWith(nodeResolver, urlOrOptions, options);
}

/**
 * Like {@link connect}, but resolves with the client after a successful CONNACK. Rejects with
 * ConnectRefusedError, TransportError or TimeoutError; throws InvalidArgumentError for invalid options.
 *
 * @example
 * ```ts
 * const client = await connectAsync('mqtts://broker.example.com', { ca: readFileSync('ca.pem', 'utf8') });
 * ```
 */
export function connectAsync(urlOrOptions: string | NodeClientOptions, options?: NodeClientOptions): Promise<MqttClient> {
  return connectAsyncWith(nodeResolver, urlOrOptions, options);
}

/**
 * The transport {@link connect} would open for these options: `options.transport`, or TCP, TLS or
 * WebSocket according to the URL. For tools that wrap the connection (the `rxmqtt -d` packet
 * trace) and still want the URL handling of `connect`. Cold, like every {@link TransportFactory}.
 * Throws InvalidArgumentError for an invalid URL or a missing one.
 *
 * @example
 * ```ts
 * const transport = nodeTransportFor({ url: 'mqtt://localhost:1883' });
 * const client = connect({ transport: () => transport().pipe(tap(() => console.log('open'))) });
 * ```
 */
export function nodeTransportFor(options: NodeClientOptions): TransportFactory {
  return transportOf(nodeResolver, mergeConnectArguments<NodeClientOptions>(options, undefined));
}

/**
 * The Node resolver of the one `connect` (see `connectWith`): TCP for `mqtt://` and `tcp://`, TLS
 * for `mqtts://`, `ssl://` and `tls://`, WebSocket (through `ws`, or `options.WebSocket`) for `ws://`
 * and `wss://`. Throws InvalidArgumentError for a missing URL.
 *
 * @example
 * ```ts
 * const client = connectWith(nodeResolver, 'mqtts://broker.example.com', { ca });
 * ```
 */
export function nodeResolver(url: BrokerUrl | undefined, options: NodeClientOptions): TransportFactory {
  if (url === undefined) throw new InvalidArgumentError('url', "give a broker URL such as 'mqtt://localhost:1883', or a transport");
  const { host, port } = url;
  const connectTimeout = options.connectTimeout;
  const alpn = options.alpnProtocols;
  if (alpn !== undefined && !(Array.isArray(alpn) && alpn.every((p) => typeof p === 'string' && p !== ''))) {
    throw new InvalidArgumentError('alpnProtocols', 'expected an array of protocol names');
  }
  const headers = options.wsHeaders;
  if (headers !== undefined && (headers === null || typeof headers !== 'object' || !Object.values(headers).every((v) => typeof v === 'string'))) {
    throw new InvalidArgumentError('wsHeaders', 'expected an object of header names to string values');
  }
  const tls = {
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    passphrase: options.passphrase,
    servername: options.servername,
    rejectUnauthorized: options.rejectUnauthorized,
  };
  switch (url.protocol) {
    // A TCP or TLS port that answers CONNECT with HTTP is a web port: a clear error, not a decode error.
    case 'tcp':
      return withHttpCheck(tcpTransport({ host, port, connectTimeout }));
    case 'tls':
      return withHttpCheck(tlsTransport({ host, port, connectTimeout, ...tls, tlsOptions: alpn === undefined ? undefined : { ALPNProtocols: [...alpn] } }));
    default: {
      const webSocketOptions = { ...(url.protocol === 'wss' ? withoutUndefined(tls) : {}), ...(headers === undefined ? {} : { headers }) };
      const protocols = options.wsProtocols;
      const open = (WebSocket: WebSocketConstructor): Observable<Transport> =>
        webSocketTransport({ url: url.url, WebSocket, connectTimeout, webSocketOptions, protocols })();
      if (options.WebSocket !== undefined) {
        const factory = webSocketTransport({
          url: url.url,
          WebSocket: options.WebSocket as WebSocketConstructor,
          connectTimeout,
          webSocketOptions,
          protocols,
        });
        return factory;
      }
      return () => defer(() => from(loadWs())).pipe(switchMap(open));
    }
  }
}

function withHttpCheck(factory: TransportFactory): TransportFactory {
  return () => factory().pipe(map(rejectHttpReply));
}

/** Loads the optional `ws` package; fails with a TransportError saying how to fix it. */
async function loadWs(): Promise<WebSocketConstructor> {
  try {
    const module = (await import('ws')) as unknown as { default?: WebSocketConstructor; WebSocket?: WebSocketConstructor };
    const constructor = module.WebSocket ?? module.default;
    if (typeof constructor === 'function') return constructor;
    throw new Error("the 'ws' module exports no WebSocket");
  } catch (cause) {
    throw new TransportError(
      "ws:// and wss:// in Node need the 'ws' package: npm install ws (or pass options.WebSocket)",
      { cause, code: 'WEBSOCKET_UNAVAILABLE' },
    );
  }
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
