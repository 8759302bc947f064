import { firstValueFrom, map, toArray } from 'rxjs';
import { connectAsync } from '../../lib/client/connect';
import { ProtocolError } from '../../lib/errors';
import { memoryTransportFactory, memoryTransportPair } from '../../lib/transport/memory-transport';
import { rejectHttpReply } from '../../lib/transport/reject-http-reply';
import type { TransportFactory } from '../../lib/transport/transport';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const HTTP_REPLY = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * A server side that answers the first bytes it receives with `chunks`, one send each, behind
 * rejectHttpReply (as rxmqtt/node wraps its TCP and TLS transports).
 */
const answering = (...chunks: Uint8Array[]): TransportFactory => {
  const factory = memoryTransportFactory((server) => {
    server.incoming.subscribe({ next: () => chunks.splice(0).forEach((c) => server.send(c)), error: () => undefined });
  });
  return () => factory().pipe(map(rejectHttpReply));
};

describe('rejectHttpReply', () => {
  it('makes connect fail with ProtocolError HTTP_RESPONSE that suggests ws:// when CONNECT gets an HTTP answer', async () => {
    const failure = await connectAsync({ transport: answering(ascii(HTTP_REPLY)), reconnect: false }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure).toMatchObject({ code: 'HTTP_RESPONSE' });
    expect((failure as Error).message).toContain('"HTTP/1.1 400 Bad Request"');
    expect((failure as Error).message).toContain('ws://');
  });

  it('recognises the answer when its first chunk holds only the beginning of "HTTP/"', async () => {
    const failure = await connectAsync({ transport: answering(ascii('HT'), ascii('TP/1.1 426 Upgrade Required\r\n\r\n')), reconnect: false }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ name: 'ProtocolError', code: 'HTTP_RESPONSE' });
  });

  it('passes MQTT bytes through unchanged, later H bytes included, and completes with the transport', async () => {
    const [client, server] = memoryTransportPair();
    const wrapped = rejectHttpReply(client);
    const received = firstValueFrom(wrapped.incoming.pipe(toArray()));
    const connack = Uint8Array.of(0x20, 0x02, 0x00, 0x00);
    const publish = Uint8Array.of(0x30, 0x06, 0x00, 0x01, 0x48, 0x48, 0x54, 0x50); // topic "H", payload "HTP"
    server.send(connack);
    server.send(ascii('HTTP/'));
    server.send(publish);
    server.close();
    expect(await received).toEqual([connack, ascii('HTTP/'), publish]);
  });

  it('hands send and close to the wrapped transport', async () => {
    const [client, server] = memoryTransportPair();
    const wrapped = rejectHttpReply(client);
    const atServer = firstValueFrom(server.incoming.pipe(toArray()));
    wrapped.send(Uint8Array.of(0xc0, 0x00));
    wrapped.close();
    expect(await atServer).toEqual([Uint8Array.of(0xc0, 0x00)]);
  });
});
