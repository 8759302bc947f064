/**
 * Connects a client (browser entry) to a scripted server and completes the CONNECT/CONNACK
 * exchange, for flow tests that start from an open connection. Clients are tracked so a suite can
 * close them all afterwards with closeScriptedClients().
 */
import { filter, firstValueFrom } from 'rxjs';
import type { ConnackPacket } from '../../lib/codec/packet.js';
import { connect } from '../../lib/client/connect.js';
import type { ClientOptions } from '../../lib/client/client-options.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { scriptedServer, type ScriptedPeer } from './scripted-peer.js';

const open: MqttClient[] = [];

export async function connectedPair(
  options: ClientOptions = {},
  connack: Partial<ConnackPacket> = {},
): Promise<{ client: MqttClient; server: ScriptedPeer }> {
  const { transport, peer } = scriptedServer();
  const client = connect({ ...options, transport });
  open.push(client);
  const server = await peer;
  await server.expect('connect');
  server.send({ type: 'connack', sessionPresent: false, reasonCode: 0, ...connack });
  await firstValueFrom(client.state$.pipe(filter((s) => s.status !== 'connecting')));
  return { client, server };
}

/** Closes every client connectedPair() made (call in afterEach). */
export async function closeScriptedClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.disconnect({ timeout: 0 })));
}
