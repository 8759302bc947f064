import { QueueFullError } from '../../lib/errors.js';
import { PacketIdAllocator } from '../../lib/session/packet-id-allocator.js';

describe('PacketIdAllocator', () => {
  it('starts at 1, never hands out 0, and wraps after 65535', () => {
    const ids = new PacketIdAllocator();
    const seen: number[] = [];
    for (let i = 0; i < 65535; i++) {
      const id = ids.allocate();
      seen.push(id);
      ids.release(id);
    }
    expect(seen[0]).toBe(1);
    expect(seen[65534]).toBe(65535);
    expect(ids.allocate()).toBe(1);
  });

  it('skips identifiers still in use when it wraps', () => {
    const ids = new PacketIdAllocator();
    const held = [ids.allocate(), ids.allocate()]; // 1 and 2 stay in flight
    for (let i = 3; i <= 65535; i++) ids.release(ids.allocate());
    expect(held).toEqual([1, 2]);
    expect(ids.allocate()).toBe(3);
    expect(ids.has(1) && ids.has(2)).toBe(true);
  });

  it('throws QueueFullError when all 65535 are in use, and recovers after a release', () => {
    const ids = new PacketIdAllocator();
    for (let i = 0; i < 65535; i++) ids.allocate();
    expect(ids.size).toBe(65535);
    expect(() => ids.allocate()).toThrow(QueueFullError);
    ids.release(4242);
    expect(ids.allocate()).toBe(4242);
  });

  it('reserves restored identifiers and reports double releases', () => {
    const ids = new PacketIdAllocator();
    expect(ids.reserve(1)).toBe(true);
    expect(ids.reserve(1)).toBe(false);
    expect(ids.reserve(0)).toBe(false);
    expect(ids.allocate()).toBe(2);
    expect(ids.release(1)).toBe(true);
    expect(ids.release(1)).toBe(false);
  });

  it('whenIdle resolves once the last identifier is released', async () => {
    const ids = new PacketIdAllocator();
    await ids.whenIdle();
    const a = ids.allocate();
    const b = ids.allocate();
    let idle = false;
    const waiting = ids.whenIdle().then(() => (idle = true));
    ids.release(a);
    await Promise.resolve();
    expect(idle).toBe(false);
    ids.release(b);
    await waiting;
    expect(idle).toBe(true);
  });
});
