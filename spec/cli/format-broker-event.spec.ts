import { ProtocolError } from '../../lib/errors';
import { formatBrokerEvent } from '../../lib/cli/format-broker-event';

const enc = new TextEncoder();
const published = (payload: Uint8Array, extra: { clientId?: string; retain?: boolean } = {}) =>
  formatBrokerEvent({ type: 'published', clientId: 'clientId' in extra ? extra.clientId : 'p1', topic: 'a/b', payload, qos: 1, retain: extra.retain ?? false, properties: undefined });

describe('formatBrokerEvent', () => {
  it('describes connections and disconnections', () => {
    expect(formatBrokerEvent({ type: 'clientConnected', clientId: 'c1', username: undefined, protocolVersion: 4, sessionPresent: false })).toBe(
      "client 'c1' connected (MQTT 3.1.1)",
    );
    expect(formatBrokerEvent({ type: 'clientConnected', clientId: 'c1', username: 'ann', protocolVersion: 5, sessionPresent: true })).toBe(
      "client 'c1' connected (MQTT 5, user 'ann', session resumed)",
    );
    expect(formatBrokerEvent({ type: 'clientDisconnected', clientId: 'c1', graceful: true, error: undefined })).toBe("client 'c1' disconnected");
    expect(formatBrokerEvent({ type: 'clientDisconnected', clientId: 'c1', graceful: false, error: new ProtocolError('bad packet') })).toBe(
      "client 'c1' connection lost: bad packet",
    );
  });

  it('shows short printable payloads and leaves binary, control characters and large payloads out', () => {
    expect(published(enc.encode('21.5'), { retain: true })).toBe("'p1' published to 'a/b' (QoS 1, retained, 4 bytes): 21.5");
    expect(published(enc.encode('x'.repeat(70)))).toBe(`'p1' published to 'a/b' (QoS 1, 70 bytes): ${'x'.repeat(60)}...`);
    expect(published(Uint8Array.of(0xff, 0xfe))).toBe("'p1' published to 'a/b' (QoS 1, 2 bytes)");
    expect(published(enc.encode('two\nlines'))).toBe("'p1' published to 'a/b' (QoS 1, 9 bytes)");
    expect(published(new Uint8Array(2000).fill(0x41))).toBe("'p1' published to 'a/b' (QoS 1, 2000 bytes)");
    expect(published(new Uint8Array(0), { clientId: undefined })).toBe("broker published to 'a/b' (QoS 1, 0 bytes)");
  });

  it('describes subscriptions and connection errors', () => {
    expect(formatBrokerEvent({ type: 'subscribed', clientId: 'c1', topicFilter: 'a/#', qos: 2 })).toBe("'c1' subscribed to 'a/#' (QoS 2)");
    expect(formatBrokerEvent({ type: 'unsubscribed', clientId: 'c1', topicFilter: 'a/#' })).toBe("'c1' unsubscribed from 'a/#'");
    expect(formatBrokerEvent({ type: 'connectionError', clientId: undefined, error: new ProtocolError('no CONNECT') })).toBe('connection refused: no CONNECT');
    expect(formatBrokerEvent({ type: 'connectionError', clientId: 'c1', error: new ProtocolError('bad QoS') })).toBe("connection of 'c1' closed: bad QoS");
  });
});
