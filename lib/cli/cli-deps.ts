import type { Observable } from 'rxjs';
import type { BrokerEvent, BrokerLimits, BrokerOptions } from '../broker/index.js';
import type { Packet, QoS } from '../codec/packet.js';
import type { TraceDirection } from './trace-transport.js';

/** The part of a received message the command line uses. */
export interface CliMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
}

/** The part of a client state the command line reports (the rxmqtt `ClientState` fits it). */
export interface CliClientState {
  readonly status: string;
  /** Of `reconnecting`: the attempt number, the wait in ms and what ended the connection. */
  readonly attempt?: number;
  readonly delay?: number;
  readonly cause?: { readonly message: string };
}

/** The part of the client the command line uses (the rxmqtt/node `MqttClient` fits it). */
export interface CliClient {
  /** The client's states (hot, replays the current one); `rxmqtt sub` reports reconnects from it. */
  readonly state$?: Observable<CliClientState>;
  subscribe(filter: string, options: { qos: QoS }): Observable<CliMessage>;
  publish(topic: string, payload: string | Uint8Array, options: { qos: QoS; retain: boolean }): Observable<void>;
  disconnect(options?: { timeout?: number }): Promise<void>;
}

/** Client settings the command line passes on connect (a subset of the client's options). */
export interface CliConnectOptions {
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly keepalive: number;
  readonly clean: boolean;
  readonly connectTimeout: number;
  /** Reconnect after a lost connection (the client's default is on); a failed first connection is never retried. */
  readonly reconnect?: boolean;
  /** Trusted CA certificates (PEM) for mqtts:// and wss://. */
  readonly ca?: string;
  /** Client certificate (PEM). */
  readonly cert?: string;
  /** Private key of `cert` (PEM). */
  readonly key?: string;
  /** False skips the broker certificate check. */
  readonly rejectUnauthorized?: boolean;
  /** Called with every packet sent and received (the `-d` trace). */
  readonly trace?: (direction: TraceDirection, packet: Packet) => void;
}

/** The part of a running broker the command line uses (the rxmqtt/broker `BrokerHandle` fits it). */
export interface CliBroker {
  readonly url: string;
  readonly wsUrl: string | undefined;
  /** Every broker event (hot); logged by `rxmqtt broker --verbose`. */
  readonly events$: Observable<BrokerEvent>;
  close(): Promise<void>;
}

/** Options the command line passes when it starts the embedded broker. */
export interface CliBrokerOptions {
  readonly port: number;
  readonly host: string;
  readonly websocket?: { readonly port: number; readonly allowedOrigins?: readonly string[] };
  readonly limits?: BrokerLimits;
  readonly sysInterval?: number;
  readonly persistence?: BrokerOptions['persistence'];
  readonly authenticate?: BrokerOptions['authenticate'];
  readonly authorizePublish?: BrokerOptions['authorizePublish'];
  readonly authorizeSubscribe?: BrokerOptions['authorizeSubscribe'];
}

/**
 * What the commands need from the rest of the library: connecting a client and starting the broker.
 * `main` passes the real implementations.
 */
export interface CliDeps {
  connectAsync(options: CliConnectOptions): Promise<CliClient>;
  startBroker(options: CliBrokerOptions): Promise<CliBroker>;
}
