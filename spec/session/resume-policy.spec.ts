import type { PublishPacket } from '../../lib/codec/packet.js';
import type { OutboundEntry } from '../../lib/session/in-flight-store.js';
import { PublishJob } from '../../lib/session/publish-job.js';
import { planResume } from '../../lib/session/resume-policy.js';

const packet = (topic: string, packetId: number, qos: 1 | 2 = 2): PublishPacket => ({
  type: 'publish',
  topic,
  payload: new Uint8Array(0),
  qos,
  retain: false,
  dup: false,
  packetId,
});

function flow(topic: string, packetId: number, state: 'publish' | 'pubrel'): [number, PublishJob] {
  const job = new PublishJob(packet(topic, packetId), undefined, 0);
  job.started = true;
  job.state = state;
  return [packetId, job];
}

describe('planResume', () => {
  const stored: OutboundEntry[] = [
    { packet: packet('a', 1), state: 'publish' },
    { packet: packet('b', 2), state: 'pubrel' },
    { packet: packet('c', 3), state: 'publish' },
  ];

  it('resumed session: resends every stored flow in order with its identifier, PUBLISH with DUP [MQTT-3.3.1-1], PUBREL as is [MQTT-4.4.0-1]', () => {
    const flows = new Map([flow('a', 1, 'publish'), flow('b', 2, 'pubrel')]);
    const reserved: number[] = [];
    const plan = planResume(stored, flows, (id) => (reserved.push(id), true), true);
    expect(plan.resend.map((r) => [r.packet.topic, r.packetId, r.packet.dup, r.job.state])).toEqual([
      ['a', 1, true, 'publish'],
      ['b', 2, false, 'pubrel'],
      ['c', 3, true, 'publish'],
    ]);
    // c was left by an earlier process: its identifier is reserved and nobody listens to it.
    expect(reserved).toEqual([3]);
    expect(plan.adopted.map((r) => r.packetId)).toEqual([3]);
    expect(plan.adopted[0]?.job.subscriber).toBeUndefined();
    expect([plan.again, plan.done, plan.orphans, plan.released]).toEqual([[], [], [], []]);
  });

  it('resumed session: skips a stored flow whose identifier is held for something else', () => {
    const plan = planResume(stored, new Map(), (id) => id !== 3, true);
    expect(plan.resend.map((r) => r.packetId)).toEqual([1, 2]);
  });

  it('resumed session: a running flow the store does not hold goes again as a new message', () => {
    const flows = new Map([flow('x', 9, 'publish')]);
    const plan = planResume([], flows, () => true, true);
    expect(plan.again.map((j) => [j.packet.topic, j.started])).toEqual([['x', false]]);
    expect(plan.released).toEqual([9]);
  });

  it('no session: flows before PUBREC go again as new messages, flows past it are done, stored ones of an earlier process are orphans', () => {
    const flows = new Map([flow('a', 1, 'publish'), flow('b', 2, 'pubrel')]);
    const plan = planResume(stored, flows, () => true, false);
    expect(plan.resend).toEqual([]);
    expect(plan.again.map((j) => j.packet.topic)).toEqual(['a']);
    expect(plan.done.map((d) => [d.job.packet.topic, d.packetId])).toEqual([['b', 2]]);
    expect(plan.released).toEqual([1, 2]);
    // c (state publish, no running flow): sent again as a new message, without its old identifier.
    expect(plan.orphans.map((j) => [j.packet.topic, j.packet.packetId, j.packet.dup])).toEqual([['c', undefined, false]]);
  });
});
