import { TransportError } from '../../lib/errors';

describe('listenWebSocket without the ws package', () => {
  afterEach(() => jest.resetModules());

  it('rejects with a TransportError that says to install ws', async () => {
    jest.doMock('ws', () => {
      throw new Error("Cannot find module 'ws'");
    });
    const { listenWebSocket } = await import('../../lib/broker/ws-listener');
    const attempt = listenWebSocket(0, '127.0.0.1', undefined, 1024, () => undefined);
    await expect(attempt).rejects.toBeInstanceOf(TransportError);
    await expect(attempt).rejects.toMatchObject({ code: 'WS_MISSING', message: expect.stringContaining('npm install ws') });
  });
});

describe('wsServerTransport', () => {
  it('joins fragmented messages and ignores sends once closed', async () => {
    const { wsServerTransport } = await import('../../lib/broker/ws-listener');
    const handlers: Record<string, (arg?: unknown) => void> = {};
    const sent: Uint8Array[] = [];
    const socket = {
      binaryType: 'arraybuffer',
      readyState: 1,
      on: (event: string, handler: (arg?: unknown) => void) => void (handlers[event] = handler),
      send: (data: Uint8Array) => void sent.push(data),
      close: () => handlers.close?.(),
      terminate: () => undefined,
    };
    const transport = wsServerTransport(socket as never);
    expect(socket.binaryType).toBe('nodebuffer');
    const chunks: number[][] = [];
    let completed = false;
    transport.incoming.subscribe({ next: (c) => chunks.push([...c]), complete: () => (completed = true) });
    handlers.message([Uint8Array.of(1, 2), Uint8Array.of(3)]);
    handlers.message(Uint8Array.of(4).buffer);
    transport.send(Uint8Array.of(9));
    transport.close();
    transport.send(Uint8Array.of(10));
    expect(chunks).toEqual([[1, 2, 3], [4]]);
    expect(sent.map((b) => [...b])).toEqual([[9]]);
    expect(completed).toBe(true);
  });

  it('passes pause() and resume() through to the WebSocket (ws 8), and has none without them', async () => {
    const { wsServerTransport } = await import('../../lib/broker/ws-listener');
    const calls: string[] = [];
    const base = { binaryType: '', readyState: 1, on: () => undefined, send: () => undefined, close: () => undefined, terminate: () => undefined };
    const transport = wsServerTransport({ ...base, pause: () => calls.push('pause'), resume: () => calls.push('resume') } as never);
    transport.pause?.();
    transport.resume?.();
    expect(calls).toEqual(['pause', 'resume']);
    const old = wsServerTransport(base as never);
    expect(old.pause).toBeUndefined();
    expect(old.resume).toBeUndefined();
  });
});
