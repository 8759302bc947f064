import type { PublishPacket } from '../../lib/codec/packet.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';

const packet = (packetId: number): PublishPacket => ({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, packetId });

describe('MemoryInFlightStore', () => {
  it('keeps outbound entries in first-put order, also when an entry moves to pubrel', () => {
    const store = new MemoryInFlightStore();
    store.putOutbound({ packet: packet(9), state: 'publish' });
    store.putOutbound({ packet: packet(3), state: 'publish' });
    store.putOutbound({ packet: packet(9), state: 'pubrel' });
    expect([...store.outbound()].map((e) => [e.packet.packetId, e.state])).toEqual([
      [9, 'pubrel'],
      [3, 'publish'],
    ]);
    expect(store.getOutbound(3)?.state).toBe('publish');
    expect(store.deleteOutbound(3)).toBe(true);
    expect(store.deleteOutbound(3)).toBe(false);
  });

  it('holds inbound QoS 2 identifiers once', () => {
    const store = new MemoryInFlightStore();
    expect(store.addInbound(4)).toBe(true);
    expect(store.addInbound(4)).toBe(false);
    expect(store.hasInbound(4)).toBe(true);
    expect([...store.inbound()]).toEqual([4]);
    expect(store.deleteInbound(4)).toBe(true);
    expect(store.hasInbound(4)).toBe(false);
  });

  it('clear forgets everything', () => {
    const store = new MemoryInFlightStore();
    store.putOutbound({ packet: packet(1), state: 'publish' });
    store.addInbound(2);
    store.clear();
    expect([...store.outbound(), ...store.inbound()]).toEqual([]);
  });
});
