import { concat, defer, filter, from, ignoreElements, isObservable, mergeMap, Observable, of, share, take, throwError, timeout, type ObservableInput } from 'rxjs';
import type { QoS } from '../codec/packet.js';
import type { PublishProperties } from '../codec/properties.js';
import { InvalidArgumentError, TimeoutError } from '../errors.js';
import { assertTopicFilter, assertTopicName } from '../session/validate-topic.js';
import type { MqttClient } from './mqtt-client.js';
import type { MqttMessage } from './mqtt-message.js';

/** Options of {@link request}. */
export interface RequestOptions {
  /** Milliseconds to wait for the response, from subscription; default 10 000. */
  readonly timeout?: number;
  /** QoS of the request and of the response subscription; default 1. */
  readonly qos?: QoS;
  /** More MQTT 5 properties of the request (user properties, content type, ...). */
  readonly properties?: Omit<PublishProperties, 'responseTopic' | 'correlationData'>;
}

/** Options of {@link respond}. */
export interface RespondOptions {
  /** QoS of the request subscription and of the responses; default 1. */
  readonly qos?: QoS;
  /** More MQTT 5 properties of each response (user properties, content type, ...). */
  readonly properties?: Omit<PublishProperties, 'responseTopic' | 'correlationData'>;
}

/** What a responder's handler may return for one request: a payload, or an Observable or Promise of one. */
export type Reply = string | Uint8Array | ObservableInput<string | Uint8Array>;

/** Each client's response topic and its one shared subscription. */
interface Responses {
  readonly topic: string;
  readonly messages: Observable<MqttMessage>;
  next: number;
  readonly prefix: string;
}

const perClient = new WeakMap<MqttClient, Responses>();

/**
 * Sends an MQTT 5 request and gives its response: publishes `payload` to `topic` with a Response
 * Topic and a unique Correlation Data, and emits the first message that comes back on that
 * topic with the same Correlation Data, then completes.
 *
 * - **Cold:** each subscription sends one request. The response topic is the client's own
 *   (`rxmqtt/response/<random>/`, unique per client): subscribed once, on the first request, and
 *   shared by every later one (one SUBSCRIBE, kept while the client lives), before the request is
 *   published, so the response cannot come before the subscription.
 * - **Unsubscribing** before the response drops the wait (the response, if any, is ignored);
 *   nothing is sent.
 * - **Errors:** TimeoutError `REQUEST_TIMEOUT` when no response came within `timeout`; the
 *   request's own publish errors (PublishFailedError, ConnectionClosedError, ...).
 *
 * Throws InvalidArgumentError for an invalid topic or options, and for an MQTT 3.1.1 client
 * (3.1.1 has no Response Topic or Correlation Data). A function rather than a method, so an
 * application that does not use it does not ship it.
 *
 * @example
 * ```ts
 * request(client, 'rpc/clock', '', { timeout: 2000 }).subscribe((m) => console.log('time:', m.text()));
 * ```
 */
export function request(client: MqttClient, topic: string, payload: string | Uint8Array, options: RequestOptions = {}): Observable<MqttMessage> {
  assertVersion5(client, 'request');
  assertTopicName(topic, 'topic');
  const ms = options.timeout ?? 10_000;
  if (!(typeof ms === 'number' && ms > 0 && Number.isFinite(ms))) throw new InvalidArgumentError('options.timeout', `must be a positive number of milliseconds, got ${String(ms)}`);
  const qos = options.qos ?? 1;
  return defer(() => {
    const responses = responsesOf(client, qos);
    const correlationData = new TextEncoder().encode(`${responses.prefix}${(responses.next++).toString(36)}`);
    const response = responses.messages.pipe(
      filter((m) => sameBytes(m.properties?.correlationData, correlationData)),
      take(1),
    );
    const published = client.publish(topic, payload, { qos, properties: { ...options.properties, responseTopic: responses.topic, correlationData } });
    return new Observable<MqttMessage>((subscriber) => {
      // Listen first (the SUBSCRIBE goes out before the request), then publish.
      const waiting = response.subscribe(subscriber);
      waiting.add(published.subscribe({ error: (error: unknown) => subscriber.error(error) }));
      return waiting;
    }).pipe(
      timeout({
        first: ms,
        with: () => throwError(() => new TimeoutError('REQUEST_TIMEOUT', `no response to the request on '${topic}' within ${ms} ms`)),
      }),
    );
  });
}

/**
 * Serves MQTT 5 requests on `filter`: for each message carrying a Response Topic, runs `handler`
 * and publishes what it returns (a payload, or the values of its Observable or Promise) to that
 * topic with the request's Correlation Data copied. Requests without a Response Topic
 * are ignored. Handlers run concurrently, one per request.
 *
 * Cold: subscribing subscribes to `filter` (SUBSCRIBE); unsubscribing stops serving (UNSUBSCRIBE
 * once no other observer uses the filter). It emits each request once its responses were
 * published. A handler that throws or errors ends the stream with that error; to answer with an
 * error response instead, catch inside the handler (`catchError(() => of('error'))`). Throws
 * InvalidArgumentError for an invalid filter or options, and for an MQTT 3.1.1 client.
 *
 * @example
 * ```ts
 * respond(client, 'rpc/clock', () => new Date().toISOString()).subscribe();
 * ```
 */
export function respond(
  client: MqttClient,
  topicFilter: string,
  handler: (request: MqttMessage) => Reply,
  options: RespondOptions = {},
): Observable<MqttMessage> {
  assertVersion5(client, 'respond');
  assertTopicFilter(topicFilter, 'filter');
  if (typeof handler !== 'function') throw new InvalidArgumentError('handler', 'expected a function (request) => reply');
  const qos = options.qos ?? 1;
  return client.subscribe(topicFilter, { qos }).pipe(
    mergeMap((message) => {
      const responseTopic = message.properties?.responseTopic;
      if (responseTopic === undefined) return [];
      const correlationData = message.properties?.correlationData;
      const properties: PublishProperties = { ...options.properties, ...(correlationData === undefined ? {} : { correlationData }) };
      const published = defer(() => replies(handler(message))).pipe(mergeMap((reply) => client.publish(responseTopic, reply, { qos, properties })));
      // Emit the request once everything it got back was published.
      return concat(published.pipe(ignoreElements()), of(message));
    }),
  );
}

function replies(reply: Reply): Observable<string | Uint8Array> {
  if (typeof reply === 'string' || reply instanceof Uint8Array) return from([reply]);
  if (isObservable(reply)) return reply;
  return from(reply);
}

function responsesOf(client: MqttClient, qos: QoS): Responses {
  let responses = perClient.get(client);
  if (responses === undefined) {
    const token = randomToken();
    const topic = `rxmqtt/response/${token}`;
    responses = {
      topic,
      prefix: `${token}-`,
      next: 0,
      // Subscribed on the first request and kept for the client's life: one SUBSCRIBE for all requests.
      messages: client.subscribe(topic, { qos }).pipe(share({ resetOnRefCountZero: false, resetOnComplete: true, resetOnError: true })),
    };
    perClient.set(client, responses);
  }
  return responses;
}

function assertVersion5(client: MqttClient, what: string): void {
  if (client.protocolVersion !== 5) {
    throw new InvalidArgumentError('client', `${what}() needs MQTT 5 (Response Topic and Correlation Data): connect with protocolVersion 5`);
  }
}

function randomToken(): string {
  const bytes = new Uint8Array(8);
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues !== undefined) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
