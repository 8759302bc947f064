import { MqttError } from '../errors.js';
import { describeError } from './report-failure.js';

/** Where `rxmqtt broker` tried to listen. */
export interface ListenSettings {
  readonly host: string;
  readonly port: number;
  /** The `--ws-port`, when given. */
  readonly wsPort?: number;
}

/**
 * One line about why `rxmqtt broker` could not start, with what to do about it: a port in use
 * names the option that picks another one (`-p`, or `--ws-port`) and says that another broker (often
 * a Mosquitto on 1883) may hold it; `--ws-port` without the optional `ws` package says to install
 * it. Any other error is described as it is.
 *
 * @example
 * ```ts
 * describeListenFailure(error, { host: '127.0.0.1', port: 1883 });
 * // "cannot listen on 127.0.0.1:1883: the port is already in use (another MQTT broker, such as Mosquitto, may be running there); choose another with -p PORT, or -p 0 for a free one"
 * ```
 */
export function describeListenFailure(error: unknown, settings: ListenSettings): string {
  if (error instanceof MqttError && error.code === 'WS_MISSING') {
    return "--ws-port needs the optional 'ws' package, which is not installed: run npm install ws, or leave out --ws-port";
  }
  const cause = error instanceof MqttError ? error.cause : undefined;
  const { code, port } = (typeof cause === 'object' && cause !== null ? cause : {}) as { code?: unknown; port?: unknown };
  const ws = settings.wsPort !== undefined && port === settings.wsPort && port !== settings.port;
  const option = ws ? '--ws-port' : '-p';
  const where = `cannot listen on ${settings.host}:${ws ? settings.wsPort : settings.port}`;
  if (code === 'EADDRINUSE') {
    return `${where}: the port is already in use (another MQTT broker, such as Mosquitto, may be running there); choose another with ${option} PORT, or ${option} 0 for a free one`;
  }
  if (code === 'EACCES') return `${where}: permission denied (ports below 1024 need privileges); choose another with ${option} PORT`;
  if (code === 'EADDRNOTAVAIL') return `${where}: this machine has no address ${settings.host}; use -h 127.0.0.1 or -h 0.0.0.0`;
  const text = describeError(error);
  return text.startsWith('cannot listen on') ? text : `${where}: ${text}`;
}
