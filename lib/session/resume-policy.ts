import type { PublishPacket } from '../codec/packet.js';
import type { OutboundEntry } from './in-flight-store.js';
import { PublishJob } from './publish-job.js';

/** A stored flow to send again on a resumed session, with its identifier. */
export interface Resend {
  readonly job: PublishJob;
  /** PUBLISH with DUP set [MQTT-3.3.1-1], or the packet of a flow resumed at PUBREL. */
  readonly packet: PublishPacket;
  readonly packetId: number;
}

/** What to do with the outbound flows when a connection is attached (see {@link planResume}). */
export interface ResumePlan {
  /** Resumed session: the stored flows, in their original order, same identifiers [MQTT-4.4.0-1]. */
  readonly resend: readonly Resend[];
  /** Started flows the server does not know: sent again as new messages, ahead of the queue. */
  readonly again: readonly PublishJob[];
  /** Flows past PUBREC whose session is gone: the server took the message, they complete. */
  readonly done: readonly { readonly job: PublishJob; readonly packetId: number }[];
  /** Unacknowledged messages a persistent store kept from an earlier process, with no session: sent as new, after the queue. */
  readonly orphans: readonly PublishJob[];
  /** Identifiers of {@link again} and {@link done}, to free. */
  readonly released: readonly number[];
  /** Flows of {@link resend} that started in an earlier process (nobody listens): their identifiers are reserved, to add to the running flows. */
  readonly adopted: readonly Resend[];
}

/**
 * The resume policy. With `sessionPresent` the server holds the session: every stored flow is
 * resent in its original order with its identifier (PUBLISH with DUP, or PUBREL), including those
 * a persistent store kept from an earlier process, whose identifiers are reserved here. Running
 * flows the store does not hold go again as new messages. Without a session, flows that had not
 * reached PUBREC go again as new messages, ahead of the queue, flows that had (the server took the
 * message) complete, and what a persistent store kept from an earlier process is sent again as new.
 *
 * @example
 * ```ts
 * const plan = planResume([...store.outbound()], flows, (id) => packetIds.reserve(id), connack.sessionPresent);
 * ```
 */
export function planResume(
  stored: readonly OutboundEntry[],
  flows: ReadonlyMap<number, PublishJob>,
  reserve: (packetId: number) => boolean,
  sessionPresent: boolean,
): ResumePlan {
  const resend: Resend[] = [];
  const adopted: Resend[] = [];
  const again: PublishJob[] = [];
  const done: { job: PublishJob; packetId: number }[] = [];
  const orphans: PublishJob[] = [];
  const released: number[] = [];
  const resumed = new Set<number>();
  if (sessionPresent) {
    for (const entry of stored) {
      const packetId = entry.packet.packetId;
      if (packetId === undefined) continue;
      let job = flows.get(packetId);
      let foreign = false;
      if (job === undefined) {
        if (!reserve(packetId)) continue; // an identifier held for something else
        job = new PublishJob(entry.packet, undefined, 0); // left by an earlier process: nobody listens
        job.started = true;
        foreign = true;
      }
      resumed.add(packetId);
      job.state = entry.state;
      const packet = entry.state === 'publish' ? { ...entry.packet, dup: true } : entry.packet;
      const item = { job, packet, packetId };
      resend.push(item);
      if (foreign) adopted.push(item);
    }
  } else {
    for (const entry of stored) {
      const packetId = entry.packet.packetId;
      if (entry.state !== 'publish' || packetId === undefined || flows.has(packetId)) continue;
      const { packetId: _, ...packet } = entry.packet;
      orphans.push(new PublishJob({ ...packet, dup: false }, undefined, 0));
    }
  }
  for (const [packetId, job] of flows) {
    if (resumed.has(packetId)) continue;
    released.push(packetId);
    if (job.state === 'pubrel') {
      done.push({ job, packetId }); // the server had taken the message (PUBREC); only the release was lost with the session
    } else {
      job.started = false; // started again with a new identifier
      again.push(job);
    }
  }
  return { resend, again, done, orphans, released, adopted };
}
