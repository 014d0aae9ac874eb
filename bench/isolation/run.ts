/**
 * Isolation benchmark (issue 6): does one project's failing destination slow another project's
 * deliveries? Project B's events flow at a steady rate to a healthy destination; in alternate rounds
 * project A's events flow at the same rate, to a healthy destination (the same load) or to one whose
 * every call fails after 300 ms (the failure).
 * The connector is the real one (in process, its retry tiers and circuit breakers on the defaults)
 * with destinations registered through the public sink API. Prints B's delivery rate and
 * end-to-end latency per scenario and writes them as JSON to bench/results/.
 *
 * Usage: npm run bench:isolation -- [--rate 500] [--seconds 20] [--rounds 3]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { findProjectRoot } from "../../src/project-root";
import { delay, waitFor } from "../../src/util/wait-for";
import { startRetryHarness } from "../../test/support/retry-harness";
import { percentile, round } from "../producer/stats";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const TICK_MS = 20;
/** A short ladder (1 s, 2 s, 4 s): A's failures go through every tier during a scenario, the harsher case. */
const LADDER_MS = 7_000;
const SCENARIOS = { none: "B alone", healthy: "B with A healthy", down: "B with A down" } as const;

interface Figures {
  events: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

async function main() {
  const h = await startRetryHarness({ EVENTSTREAMS_RETRY_LADDER: "1s,2s,4s" });
  const down = { outcome: "retryable", code: "ServiceUnavailable", message: "down" } as const;

  /** B at `rate` for `seconds`, with A at the same rate unless A is "none". */
  async function measure(aIs: "none" | "healthy" | "down"): Promise<Figures & { aFailures: number }> {
    const b = await h.fakeStream();
    h.fakes.set(b.id, () => ({ outcome: "delivered" }), 2);
    const a = await h.fakeStream();
    if (aIs === "down") h.fakes.set(a.id, () => down, 300);
    else h.fakes.set(a.id, () => ({ outcome: "delivered" }), 2);
    const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
    const ticks = Math.round((seconds * 1000) / TICK_MS);
    const started = Date.now();
    let published = 0;
    for (let tick = 0; tick < ticks; tick++) {
      const sends = [h.publish(b.projectId, perTick)];
      if (aIs !== "none") sends.push(h.publish(a.projectId, perTick));
      await Promise.all(sends);
      published += perTick;
      const wait = started + (tick + 1) * TICK_MS - Date.now();
      if (wait > 0) await delay(wait);
    }
    await waitFor(() => h.fakes.deliveredIds(b.id).size === published, {
      timeoutMs: 120_000,
      description: () => `B's ${published} events delivered (${h.fakes.deliveredIds(b.id).size})`,
    });
    if (aIs === "down") {
      // A's deliveries still climbing the ladder would load the next scenario: let them reach the
      // dead-letter topic first (the whole 1 s + 2 s + 4 s ladder, with a second to spare).
      await delay(LADDER_MS + 1_000);
    }
    const calls = h.fakes.callsOf(b.id);
    const latencies = calls.map((c) => c.at - c.eventAt).sort((x, y) => x - y);
    const ms = Math.max(...calls.map((c) => c.at)) - started;
    return {
      events: published,
      eventsPerSecond: Math.round((published * 1000) / ms),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? 0,
      aFailures: h.fakes.callsOf(a.id).filter((c) => c.outcome !== "delivered").length,
    };
  }

  await measure("none"); // warm-up: JIT, connections, the first fetches; not reported
  const rows: { round: number; scenario: string; figures: Figures & { aFailures: number } }[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const aIs of ["none", "healthy", "down"] as const) {
      const figures = await measure(aIs);
      const scenario = SCENARIOS[aIs];
      rows.push({ round: r, scenario, figures });
      process.stdout.write(
        `round ${r} ${scenario.padEnd(16)} ${figures.eventsPerSecond} events/s, latency p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms` +
          (aIs === "down" ? ` (A: ${figures.aFailures} failed calls)` : "") +
          "\n",
      );
    }
  }
  await h.close();

  const median = (scenario: string, pick: (f: Figures) => number) => {
    const sorted = rows
      .filter((r) => r.scenario === scenario)
      .map((r) => pick(r.figures))
      .sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  const summary = Object.fromEntries(
    (["eventsPerSecond", "p50", "p99", "max"] as const).map((k) => {
      const alone = median(SCENARIOS.none, (f) => f[k]);
      const withAHealthy = median(SCENARIOS.healthy, (f) => f[k]);
      const withADown = median(SCENARIOS.down, (f) => f[k]);
      const ratio = (x: number, y: number) => round(x / Math.max(y, 1), 2);
      return [
        k,
        {
          alone,
          withAHealthy,
          withADown,
          downVsAlone: ratio(withADown, alone),
          downVsHealthy: ratio(withADown, withAHealthy),
        },
      ];
    }),
  );
  process.stdout.write(`\nmedians over ${rounds} rounds (B at ${rate} events/s for ${seconds} s):\n`);
  for (const [k, v] of Object.entries(summary)) {
    process.stdout.write(
      `  ${k.padEnd(15)} alone ${v.alone}, A healthy ${v.withAHealthy}, A down ${v.withADown}: down/alone ${v.downVsAlone}, down/healthy ${v.downVsHealthy}\n`,
    );
  }
  const dir = path.join(findProjectRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `isolation-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify({ rate, seconds, rounds, rows, summary }, null, 2)}\n`);
  process.stdout.write(`written to ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
