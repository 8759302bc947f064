import { ConnectionClosedError, ConnectRefusedError, InvalidArgumentError, MqttError, StoreError, TimeoutError, TransportError } from '../../lib/errors.js';
import { isReconnectable } from '../../lib/session/is-reconnectable.js';

const refused = (code: number): ConnectRefusedError => new ConnectRefusedError(code, 'refused');

describe('isReconnectable', () => {
  it('retries lost connections, transport failures and timeouts', () => {
    expect(isReconnectable(new ConnectionClosedError('lost'), false)).toBe(true);
    expect(isReconnectable(new TransportError('ECONNREFUSED'), false)).toBe(true);
    expect(isReconnectable(new TimeoutError('KEEPALIVE_TIMEOUT', 'no PINGRESP'), false)).toBe(true);
  });

  it('retries server DISCONNECTs except 0x8E Session taken over', () => {
    const disconnect = (code: number): ConnectionClosedError => new ConnectionClosedError('bye', { reasonCode: code, code: 'SERVER_DISCONNECT' });
    expect(isReconnectable(disconnect(0x8b), false)).toBe(true);
    expect(isReconnectable(disconnect(0x8e), false)).toBe(false);
  });

  it('retries transient refusals, credential refusals only with a beforeConnect hook, never the rest', () => {
    for (const code of [0x03, 0x88, 0x89, 0x97, 0x9c, 0x9d, 0x9f]) expect(isReconnectable(refused(code), false)).toBe(true);
    for (const code of [0x04, 0x05, 0x86, 0x87]) {
      expect(isReconnectable(refused(code), false)).toBe(false);
      expect(isReconnectable(refused(code), true)).toBe(true);
    }
    for (const code of [0x01, 0x02, 0x80, 0x84, 0x85, 0x8a, 0x8c]) expect(isReconnectable(refused(code), true)).toBe(false);
  });

  it('does not retry argument errors, internal errors or foreign errors', () => {
    expect(isReconnectable(new InvalidArgumentError('beforeConnect', 'bad'), true)).toBe(false);
    expect(isReconnectable(new MqttError('INTERNAL_ERROR', 'bug'), true)).toBe(false);
    expect(isReconnectable(new Error('x'), true)).toBe(false);
  });

  it('retries after a store I/O failure (a full disk may recover), not after the store was closed', () => {
    expect(isReconnectable(new StoreError('STORE_IO', 'disk full'), false)).toBe(true);
    expect(isReconnectable(new StoreError('STORE_CLOSED', 'closed'), true)).toBe(false);
  });
});
