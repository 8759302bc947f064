import { Subscriber } from 'rxjs';
import type { PublishPacket } from '../../lib/codec/packet.js';
import { QueueFullError } from '../../lib/errors.js';
import { PublishJob } from '../../lib/session/publish-job.js';
import { PublishQueue } from '../../lib/session/publish-queue.js';

const packet = (topic: string): PublishPacket => ({ type: 'publish', topic, payload: new Uint8Array(4), qos: 1, retain: false, dup: false });

/** A job whose outcome is recorded in `outcomes` under its topic. */
function job(topic: string, outcomes: Record<string, unknown> = {}): PublishJob {
  const subscriber = new Subscriber<void>({ next: () => undefined, complete: () => (outcomes[topic] = 'done'), error: (e: unknown) => (outcomes[topic] = e) });
  return new PublishJob(packet(topic), subscriber, 4 + topic.length);
}

describe('PublishQueue', () => {
  it('streams the waiting jobs in order, then each one added later; jobs added while streaming come after', () => {
    const queue = new PublishQueue();
    const a = job('a');
    const b = job('b');
    queue.add(a);
    queue.add(b);
    const seen: string[] = [];
    const late = job('late');
    const subscription = queue.stream().subscribe((j) => {
      seen.push(j.packet.topic);
      if (j === a) queue.add(late); // re-entrant: after b, not before it
    });
    queue.add(job('c'));
    expect(seen).toEqual(['a', 'b', 'late', 'c']);
    subscription.unsubscribe();
    queue.add(job('d'));
    expect(seen).toHaveLength(4);
    expect(queue.size).toBe(5);
  });

  it('take() starts a job once; a removed job cannot be taken', () => {
    const queue = new PublishQueue();
    const a = job('a');
    const b = job('b');
    queue.add(a);
    queue.add(b);
    queue.remove(b);
    expect([queue.take(a), queue.take(a), queue.take(b)]).toEqual([true, false, false]);
    expect(a.started).toBe(true);
    expect(queue.size).toBe(0);
  });

  it('addFirst puts jobs ahead of the waiting ones', () => {
    const queue = new PublishQueue();
    queue.add(job('c'));
    queue.addFirst([job('a'), job('b')]);
    const seen: string[] = [];
    queue.stream().subscribe((j) => seen.push(j.packet.topic)).unsubscribe();
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('admits offline jobs within maxMessages (reject-new) and frees the room when one leaves', () => {
    const outcomes: Record<string, unknown> = {};
    const queue = new PublishQueue({ maxMessages: 2 });
    for (const topic of ['a', 'b', 'c']) {
      const j = job(topic, outcomes);
      if (queue.admitOffline(j)) queue.add(j);
    }
    expect(outcomes.c).toBeInstanceOf(QueueFullError);
    expect(queue.size).toBe(2);
    const [first] = queue.clear();
    expect(first?.packet.topic).toBe('a');
    expect(queue.admitOffline(job('d', outcomes))).toBe(true);
  });

  it('drop-oldest fails the oldest offline jobs to make room', () => {
    const outcomes: Record<string, unknown> = {};
    const queue = new PublishQueue({ maxMessages: 2, overflow: 'drop-oldest' });
    for (const topic of ['a', 'b', 'c']) {
      const j = job(topic, outcomes);
      if (queue.admitOffline(j)) queue.add(j);
    }
    expect(outcomes.a).toBeInstanceOf(QueueFullError);
    expect((outcomes.a as Error).message).toMatch(/dropped the oldest publish to 'a'/);
    const seen: string[] = [];
    queue.stream().subscribe((j) => seen.push(j.packet.topic)).unsubscribe();
    expect(seen).toEqual(['b', 'c']);
  });
});
