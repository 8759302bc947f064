/**
 * Test helper: a WebSocket upgrade with a chosen Origin header, through the real listener.
 */
import WebSocket from 'ws';
import { encode } from '../../lib/codec/encode';

const CONNECT = encode({ type: 'connect', protocolVersion: 4, clientId: '', cleanStart: true, keepAlive: 30 }, { protocolVersion: 4 });

/**
 * Opens a WebSocket to the broker with this Origin header (none when undefined) and sends CONNECT.
 * Resolves with the HTTP status of a refused upgrade, or with the first bytes the broker sent.
 */
export function attempt(url: string, origin: string | undefined): Promise<{ status: number } | { bytes: number[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'mqtt', origin === undefined ? {} : { origin });
    const timer = setTimeout(() => reject(new Error('no answer from the websocket listener')), 5000);
    const done = (value: { status: number } | { bytes: number[] }): void => {
      clearTimeout(timer);
      ws.terminate();
      resolve(value);
    };
    ws.on('unexpected-response', (_req, res) => done({ status: res.statusCode ?? 0 }));
    ws.on('open', () => ws.send(CONNECT));
    ws.on('message', (data: Buffer) => done({ bytes: [...data] }));
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export const CONNACK_OK = { bytes: [0x20, 0x02, 0x00, 0x00] };

