/**
 * One thread of the threaded SNS-client ceiling (snsCeilingThreads in ceilings.ts): builds its
 * share of the batches, warms up, says so, and on "go" sends them all and reports how long it took.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { AwsTransport } from "../../connectors/sinks/aws/lean/transport-setting";
import type { DomainEvent } from "../../src/events/domain-event";
import { ceilingBatches, ceilingLoop } from "./ceilings";

const port = parentPort;
if (!port) throw new Error("bench/e2e/sns-ceiling-thread runs as a worker thread");
const { events, endpoint, concurrency, transport } = workerData as {
  events: DomainEvent[];
  endpoint: string;
  concurrency: number;
  transport: AwsTransport;
};
const loop = ceilingLoop(ceilingBatches(events), endpoint, concurrency, transport);
void loop.warmUp().then(() => port.postMessage("warm"));
port.once("message", async () => {
  const { ms } = await loop.run();
  loop.close();
  port.postMessage({ events: events.length, ms });
});
