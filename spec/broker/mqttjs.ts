/**
 * Test helpers for broker suites: MQTT.js clients with bounded waits, and message collection.
 */
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient, type IPublishPacket } from 'mqtt';

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly qos: number;
  readonly retain: boolean;
  readonly packet: IPublishPacket;
}

const clients = new Set<MqttClient>();
const inboxes = new WeakMap<MqttClient, Received[]>();
const connacks = new WeakMap<MqttClient, IConnackPacket>();

/**
 * Connects MQTT.js with reconnection off; rejects on CONNACK refusal or after 5 s. Every message
 * the client receives from the start (even in the CONNACK's chunk) is kept in its inbox.
 */
export async function mqttjs(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.add(client);
  const inbox: Received[] = [];
  inboxes.set(client, inbox);
  client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => {
    inbox.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain, packet });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', (connack: IConnackPacket) => {
      connacks.set(client, connack);
      resolve();
    });
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  client.on('error', () => undefined);
  return client;
}

/** The CONNACK the client got. */
export function connackOf(client: MqttClient): IConnackPacket {
  const connack = connacks.get(client);
  if (connack === undefined) throw new Error('not connected through mqttjs()');
  return connack;
}

/** The code MQTT.js reports for a refused connection (the CONNACK return/reason code). */
export async function refusal(url: string, options: IClientOptions): Promise<number> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.add(client);
  return new Promise<number>((resolve, reject) => {
    client.once('connect', () => reject(new Error('connection was accepted')));
    client.once('error', (e: Error & { code?: number }) => resolve(Number(e.code)));
  });
}

/** Ends every client this helper made (forcefully). */
export async function endAll(): Promise<void> {
  await Promise.all([...clients].map((c) => c.endAsync(true).catch(() => undefined)));
  clients.clear();
}

/**
 * Resolves with the first `count` messages (optionally only those whose topic passes `accept`)
 * the client received since it was created, waiting up to `ms` for them.
 */
export function messages(client: MqttClient, count: number, accept: (topic: string) => boolean = () => true, ms = 5000): Promise<Received[]> {
  const inbox = inboxes.get(client);
  if (inbox === undefined) throw new Error('not connected through mqttjs()');
  const pick = (): Received[] => inbox.filter((m) => accept(m.topic));
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const got = pick();
      if (got.length < count) return false;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(got.slice(0, count));
      return true;
    };
    const onMessage = (): void => void check();
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`expected ${count} messages, got ${JSON.stringify(pick().map((m) => [m.topic, m.payload]))}`));
    }, ms);
    if (!check()) client.on('message', onMessage);
  });
}

/** The messages received so far (a copy). */
export function inboxOf(client: MqttClient): Received[] {
  return [...(inboxes.get(client) ?? [])];
}

/**
 * Resolves once the broker has handled everything `client` sent before: a QoS 1 publish to a
 * private topic is acknowledged only after the earlier packets on the connection were processed.
 */
export async function barrier(client: MqttClient): Promise<void> {
  await client.publishAsync(`barrier/${Math.random().toString(36).slice(2)}`, '', { qos: 1 });
}

let n = 0;
/** A client id no other test uses. */
export function uniqueId(prefix: string): string {
  n += 1;
  return `${prefix}-${process.pid}-${n}`;
}

/** Resolves when the client has closed, or rejects after `ms`. */
export function closed(client: MqttClient, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error('client not closed')), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
