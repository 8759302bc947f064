import type { BrokerEvent } from '../broker/index.js';

const PREVIEW = 60;

/**
 * One readable log line for a broker event (`rxmqtt broker --verbose`).
 *
 * @example
 * ```ts
 * broker.events$.subscribe((e) => console.error(formatBrokerEvent(e)));
 * // client 'sensor-1' connected (MQTT 3.1.1)
 * // 'sensor-1' published to 'sensors/1/temperature' (QoS 1, 24 bytes): {"seq":0,"celsius":21.5}
 * ```
 */
export function formatBrokerEvent(event: BrokerEvent): string {
  switch (event.type) {
    case 'clientConnected':
      return (
        `client '${event.clientId}' connected (MQTT ${event.protocolVersion === 5 ? '5' : '3.1.1'}` +
        `${event.username === undefined ? '' : `, user '${event.username}'`}${event.sessionPresent ? ', session resumed' : ''})`
      );
    case 'clientDisconnected':
      return event.graceful || event.error === undefined
        ? `client '${event.clientId}' disconnected`
        : `client '${event.clientId}' connection lost: ${event.error.message}`;
    case 'published':
      return (
        `${event.clientId === undefined ? 'broker' : `'${event.clientId}'`} published to '${event.topic}' ` +
        `(QoS ${event.qos}${event.retain ? ', retained' : ''}, ${event.payload.length} bytes)${preview(event.payload)}`
      );
    case 'subscribed':
      return `'${event.clientId}' subscribed to '${event.topicFilter}' (QoS ${event.qos})`;
    case 'unsubscribed':
      return `'${event.clientId}' unsubscribed from '${event.topicFilter}'`;
    case 'connectionError':
      return `connection ${event.clientId === undefined ? 'refused' : `of '${event.clientId}' closed`}: ${event.error.message}`;
    case 'messagesDropped':
      if (event.reason === 'notAuthorized') return `dropped ${event.count} message(s) from '${event.clientId}' (publish not authorized, acknowledged as 3.1.1 requires)`;
      return `dropped ${event.count} message(s) for '${event.clientId}' (${DROP_REASONS[event.reason]})`;
    case 'sessionEnded':
      return `session of '${event.clientId}' ${event.reason}, ${event.droppedMessages} undelivered message(s) dropped`;
    case 'connectionRefused':
      if (event.reason === 'origin') return `websocket upgrade refused (403): origin ${event.origin ?? '(none)'} is not allowed`;
      return `connection${event.clientId === undefined ? '' : ` of '${event.clientId}'`} refused: ${event.reason} reached`;
  }
}

/** `: text` for a short payload that is printable UTF-8 (shortened), nothing for binary or large data. */
function preview(payload: Uint8Array): string {
  if (payload.length === 0 || payload.length > 1024) return '';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return '';
  }
  // Control characters other than tab make the log unreadable: leave such payloads out.
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(text)) return '';
  return `: ${text.length > PREVIEW ? `${text.slice(0, PREVIEW)}...` : text}`;
}

const DROP_REASONS = { queueFull: 'queue full', tooLarge: 'larger than the client accepts', slowClient: 'slow client over its outbound budget' } as const;
