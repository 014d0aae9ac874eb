/**
 * The product services of the isolation benchmark, in their own process as in production, so the
 * connector's event loop is not also the publisher's. Publishes LoginSucceeded events for each
 * project given, at `--rate` events/s per project for `--seconds`, in 20 ms ticks; prints the number
 * published per project and the p99 time to the broker's acknowledgement as JSON on exit.
 *
 * Usage: tsx bench/isolation/load.ts --prefix P --rate R --seconds S PROJECT_ID...
 */
import { parseArgs } from "node:util";
import { createEventPublisher, type EventInput } from "../../producers";
import { delay } from "../../src/util/wait-for";

const TICK_MS = 20;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    prefix: { type: "string" },
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "20" },
  },
});

async function main() {
  const publisher = createEventPublisher({
    brokers: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
    registryUrl: process.env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
    topicPrefix: values.prefix,
    autoRegister: true,
    source: "bench-isolation",
  });
  const perTick = Math.max(1, Math.round((Number(values.rate) * TICK_MS) / 1000));
  const ticks = Math.round((Number(values.seconds) * 1000) / TICK_MS);
  const started = Date.now();
  const acked: number[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    const sent = performance.now();
    await Promise.all(
      positionals.map((projectId) =>
        publisher.publishMany(
          Array.from({ length: perTick }, (_, i) => ({
            name: "LoginSucceeded",
            projectId,
            eventAttributes: { seq: String(tick * perTick + i) },
          })) as EventInput[],
        ),
      ),
    );
    acked.push(performance.now() - sent);
    const wait = started + (tick + 1) * TICK_MS - Date.now();
    if (wait > 0) await delay(wait);
  }
  await publisher.close();
  acked.sort((x, y) => x - y);
  const publishP99Ms = Math.round(acked[Math.floor(acked.length * 0.99)] ?? 0);
  process.stdout.write(`${JSON.stringify({ perProject: ticks * perTick, publishP99Ms })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
