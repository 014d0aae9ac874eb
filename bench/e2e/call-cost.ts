/**
 * What one SNS PublishBatch call costs in CPU on each AWS transport, with 1 and with 10 events in it
 * (issue 22): the floor under the connector's CPU at 1,000 events/s over 1,000 projects, where
 * nearly every event is a call of its own. The loop is the SNS-client ceiling's (ceilings.ts: the
 * SDK client, or the connector's SignedRequests with the SNS sink's encoder and decoder), 64 calls
 * in flight against the benchmark's fake SNS in another process; no Kafka, no connector. CPU is
 * process.cpuUsage() of this process over the measured calls.
 *
 *   npm run bench:call-cost -- [--calls 4000] [--repeat 3]
 *
 * Prints a table; writes bench/results/call-cost-<time>.json.
 */
import { randomUUID } from "node:crypto";
import { EventMix } from "../../apps/simulate/event-mix";
import type { AwsTransport } from "../../connectors/sinks/aws/lean/transport-setting";
import { DOMAINS, type DomainEvent } from "../../src/events/domain-event";
import { round } from "../producer/stats";
import { writeBenchResult } from "../results";
import { ceilingBatches, ceilingLoop } from "./ceilings";
import { startFakeSns } from "./processes";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const CALLS = arg("calls", 4000);
const REPEAT = arg("repeat", 3);
const CONCURRENCY = 64;

/** `calls` batches of `size` events, each batch one project's. */
function batchesOf(size: number, calls: number) {
  const mix = new EventMix(DOMAINS, calls);
  const events: DomainEvent[] = [];
  for (const projectId of mix.projectIds)
    for (let i = 0; i < size; i++) {
      const simulated = mix.next();
      events.push({ ...simulated, projectId, id: randomUUID(), version: "1", timestamp: new Date() });
    }
  return ceilingBatches(events);
}

async function measure(transport: AwsTransport, size: number, endpoint: string) {
  const loop = ceilingLoop(batchesOf(size, CALLS), endpoint, CONCURRENCY, transport);
  await loop.warmUp();
  const before = process.cpuUsage();
  const { ms } = await loop.run();
  const cpu = process.cpuUsage(before);
  loop.close();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    transport,
    eventsPerCall: size,
    calls: CALLS,
    ms: round(ms),
    cpuMsPerCall: round(cpuMs / CALLS, 3),
  };
}

async function main(): Promise<void> {
  const fake = await startFakeSns();
  const runs: Awaited<ReturnType<typeof measure>>[] = [];
  try {
    // Rounds go over every variant in turn, so a burst of load elsewhere spreads over them.
    for (let r = 0; r < REPEAT; r++)
      for (const transport of ["sdk", "lean"] as const)
        for (const size of [1, 10]) {
          const run = await measure(transport, size, fake.url);
          process.stderr.write(
            `round ${r + 1}: ${transport}, ${size} a call: ${run.cpuMsPerCall} ms CPU a call\n`,
          );
          runs.push(run);
        }
  } finally {
    fake.stop();
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const rows = (["sdk", "lean"] as const).flatMap((transport) =>
    [1, 10].map((size) => ({
      transport,
      eventsPerCall: size,
      cpuMsPerCall: median(
        runs.filter((r) => r.transport === transport && r.eventsPerCall === size).map((r) => r.cpuMsPerCall),
      ),
    })),
  );
  for (const row of rows)
    process.stdout.write(
      `${row.transport.padEnd(5)} ${String(row.eventsPerCall).padStart(2)} events a call: ${row.cpuMsPerCall} ms CPU a call (median of ${REPEAT})\n`,
    );
  const report = { at: new Date().toISOString(), node: process.version, rows, runs };
  const file = writeBenchResult("call-cost", report);
  process.stderr.write(`wrote ${file}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
