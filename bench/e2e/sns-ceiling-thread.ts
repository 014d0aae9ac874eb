/**
 * One thread of the threaded SNS-client ceiling (snsCeilingThreads in ceilings.ts): builds its
 * share of the batches, warms up, says so, and on "go" sends them all and reports how long it took.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { DomainEvent } from "../../src/events/domain-event";
import { ceilingBatches, ceilingLoop } from "./ceilings";

const port = parentPort;
if (!port) throw new Error("bench/e2e/sns-ceiling-thread runs as a worker thread");
const { events, endpoint, concurrency } = workerData as {
  events: DomainEvent[];
  endpoint: string;
  concurrency: number;
};
const loop = ceilingLoop(ceilingBatches(events), endpoint, concurrency);
void loop.warmUp().then(() => port.postMessage("warm"));
port.once("message", async () => {
  const { ms } = await loop.run();
  loop.close();
  port.postMessage({ events: events.length, ms });
});
