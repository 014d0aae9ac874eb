/**
 * What a round trip to a worker thread costs in CPU (both threads, process.cpuUsage), with one call
 * per message and with several: why DeliveryThreads sends what one turn of the event loop produced
 * in one message. Calls are paced at one timer tick per millisecond, about a connector's rate at
 * 1,000 events/s over 1,000 streams; the worker answers at once (no sink), so this is the messaging
 * alone.
 *
 *   npx tsx bench/e2e/thread-message-cost.ts [--calls 5000]
 *
 * Prints a table; writes bench/results/thread-message-cost-<time>.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { isMainThread, parentPort } from "node:worker_threads";
import { findProjectRoot } from "../../src/project-root";
import { startWorker } from "../../src/util/worker";

interface Request {
  id: number;
  events: unknown[];
}

if (!isMainThread) {
  parentPort?.on("message", (requests: Request[]) =>
    parentPort?.postMessage(requests.map(({ id }) => ({ id, results: [{ outcome: "delivered" }] }))),
  );
} else {
  void main();
}

function event(n: number) {
  return {
    id: `0b7e5a6e-3c1a-4a53-9d0b-${String(n).padStart(12, "0")}`,
    name: "IdentityCreated",
    domain: "identities",
    version: "1",
    timestamp: new Date(),
    projectId: "7f9e5a6e-3c1a-4a53-9d0b-1a2b3c4d5e6f",
    eventAttributes: { identityId: "4b1d", method: "password" },
  };
}

/** `calls` calls, `perMessage` of them per message, one message per millisecond tick. */
async function measure(calls: number, perMessage: number) {
  const worker = startWorker(__filename);
  let sent = 0;
  let answered = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    worker.on("message", (answers: unknown[]) => {
      answered += answers.length;
      if (answered === calls) resolve();
    });
    const tick = setInterval(() => {
      const requests = Array.from({ length: Math.min(perMessage, calls - sent) }, () => ({
        id: sent,
        events: [event(sent++)],
      }));
      if (requests.length > 0) worker.postMessage(requests);
      else clearInterval(tick);
    }, 1);
  });
  const used = process.cpuUsage(cpu);
  await worker.terminate();
  return {
    perMessage,
    calls,
    cpuMicrosPerCall: Number(((used.user + used.system) / calls).toFixed(1)),
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  };
}

async function main() {
  const at = process.argv.indexOf("--calls");
  const calls = at > 0 ? Number(process.argv[at + 1]) : 5000;
  const rows = [];
  for (const perMessage of [1, 2, 5, 10]) rows.push(await measure(calls, perMessage));
  process.stdout.write(
    "| calls per message | CPU µs per call (both threads) | seconds |\n| --: | --: | --: |\n",
  );
  for (const r of rows) process.stdout.write(`| ${r.perMessage} | ${r.cpuMicrosPerCall} | ${r.seconds} |\n`);
  const dir = path.join(findProjectRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `thread-message-cost-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
