// Investigation, not part of `npm test`: streams QoS 2 through a tracing fault proxy in front of a
// private Mosquitto, run after run, and for each run with duplicates writes the packet sequence of
// the first duplicated messages (both hops) to /tmp/qos2-trace-RUN.txt and the whole decoded trace
// to /tmp/qos2-full-RUN.txt. docs/reliability.md ("QoS 2 through Mosquitto") came from it.
//
//   RUNS=20 V=5 npx jest --testMatch '**/*.inv.ts' spec/investigate --maxWorkers=1
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { runFaultStream } from '../helpers/fault-stream.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { brokerFaultFor, decodeTrace, formatPacket, messageStory } from '../helpers/wire-trace.js';
import { writeFileSync } from 'node:fs';

jest.setTimeout(600_000);

it('traces QoS 2 over v5 through Mosquitto', async () => {
  const runs = Number(process.env.RUNS ?? 4);
  const version = Number(process.env.V ?? 5) as 4 | 5;
  const mosquitto = await startMosquitto();
  try {
    for (let run = 0; run < runs; run++) {
      const proxy = await startFaultProxy({ targetPort: mosquitto.port, trace: true });
      const t0 = performance.now();
      proxy.cutRandomly({ minBytes: 30_000, maxBytes: 120_000 });
      const result = await runFaultStream({ url: proxy.url, qos: 2, count: 20_000, protocolVersion: version }).finally(() => proxy.stopCutting());
      console.log(`run ${run}: cuts=${proxy.cuts} lost=${result.lost.length} duplicated=${result.duplicated} noDup=${result.repeatedWithoutDup}`);
      if (result.duplicated > 0) {
        const links = decodeTrace(proxy.trace());
        const unexplained = result.duplicatedIndexes.filter((i) => brokerFaultFor(links, result.subscriberId, String(i)) === undefined);
        console.log(`run ${run}: unexplained=${unexplained.length} of ${result.duplicated}: ${unexplained.slice(0, 10).join(',')}`);
        const out: string[] = [];
        for (const index of result.duplicatedIndexes.slice(0, 6)) {
          out.push(`######## message ${index}: subscriber side`);
          out.push(...messageStory(links, 'sub-', String(index), t0));
          out.push(`######## message ${index}: publisher side`);
          out.push(...messageStory(links, 'pub-', String(index), t0));
        }
        writeFileSync(`/tmp/qos2-trace-${run}.txt`, out.join('\n') + '\n');
        const all: string[] = [];
        for (const l of [...links.values()].sort((a, b) => a.opened - b.opened)) {
          all.push(`-- L${l.link} ${l.clientId} opened ${(l.opened - t0).toFixed(1)}${l.cutAt !== undefined ? ` cut ${(l.cutAt - t0).toFixed(1)}` : ''}`);
          for (const p of l.packets) all.push(formatPacket(p, t0));
        }
        writeFileSync(`/tmp/qos2-full-${run}.txt`, all.join('\n') + '\n');
        console.log(`wrote /tmp/qos2-trace-${run}.txt (${result.duplicatedIndexes.slice(0, 20).join(',')})`);
      }
      await proxy.close();
    }
  } finally {
    await mosquitto.dispose();
  }
});
