/**
 * Test helper: a plain TCP server on a free loopback port that accepts connections and never
 * answers, for transport tests (cold opening, timeouts, handshakes that never finish). Registers its
 * own beforeAll/afterAll in the calling describe block.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface AcceptingServer {
  /** The port it listens on (set once beforeAll has run). */
  readonly port: number;
  /** Every socket it accepted, in order. */
  readonly accepted: Socket[];
  /** The listening server (set once beforeAll has run). */
  readonly server: Server;
  /** Resolves with the next socket the server accepts. */
  nextConnection(): Promise<Socket>;
}

export function useAcceptingServer(): AcceptingServer {
  const state = {
    server: undefined as unknown as Server,
    port: 0,
    accepted: [] as Socket[],
    nextConnection: (): Promise<Socket> => new Promise<Socket>((resolve) => state.server.once('connection', resolve)),
  };
  beforeAll(async () => {
    const server = createServer((socket) => state.accepted.push(socket));
    state.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of state.accepted) socket.destroy();
    await new Promise((resolve) => state.server.close(resolve));
  });
  return state;
}
