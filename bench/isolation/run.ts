/**
 * Isolation benchmark (issue 6): does one project's failing destination slow another project's
 * deliveries? Project B's events flow at a steady rate to a healthy destination; in alternate rounds
 * project A's events flow at the same rate, to a healthy destination (the same load) or to one whose
 * every call fails after 300 ms (the failure).
 * The connector is the real one (in process, its retry ladder and circuit breakers on the defaults)
 * with destinations registered through the public sink API. Prints B's delivery rate and
 * end-to-end latency per scenario and writes them as JSON to bench/results/.
 *
 * The retry tiers run as the docs advise when isolation matters: in a process of their own
 * (`connector --retry-only`, at its default lower CPU priority); `--inline-retry` runs them inside
 * the connector's process instead, as a single `eventstreams connector` does.
 *
 * Usage: npm run bench:isolation -- [--rate 500] [--seconds 20] [--rounds 3] [--inline-retry]
 *   [--hostile] (B beside hostile destinations, real HTTPS: bench/isolation/hostile.ts)
 *   [--only down[,healthy,none]] [--cpu-prof DIR] (a CPU profile of each "A down" scenario, round 1+)
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { findProjectRoot } from "../../src/project-root";
import { waitFor } from "../../src/util/wait-for";
import type { Pipeline } from "../../support/pipeline";
import { startRetryHarness } from "../../support/retry-harness";
import { percentile, round } from "../producer/stats";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
    /** Run the retry tiers inside the connector's process instead of in one of their own. */
    "inline-retry": { type: "boolean", default: false },
    /** Scenarios to run (comma-separated: none, healthy, down); all three by default. */
    only: { type: "string", default: "none,healthy,down" },
    /** Writes a .cpuprofile of this process for each measured "A down" scenario into this directory. */
    "cpu-prof": { type: "string" },
    /** B beside hostile destinations instead (bench/isolation/hostile.ts, its own --rate and --seconds). */
    hostile: { type: "boolean", default: false },
    /** With --hostile: only every hostile A at once. */
    together: { type: "boolean", default: false },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const SCENARIOS = { none: "B alone", healthy: "B with A healthy", down: "B with A down" } as const;

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};

interface Figures {
  events: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Cores this process (the connector with its retry tiers) used during the scenario. */
  connectorCores: number;
  /** p99 of the publisher's wait for the broker's acknowledgement (part of the latency above). */
  publishP99Ms: number;
  /** The connector's event-loop delay (monitorEventLoopDelay, 10 ms resolution): p99 and max, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Time spent in garbage collection during the scenario, ms. */
  gcMs: number;
}

/** Runs bench/isolation/load.ts for these projects; resolves with the events published per project. */
function publishFromAnotherProcess(
  pipeline: Pipeline,
  projectIds: string[],
): Promise<{ perProject: number; publishP99Ms: number }> {
  const args = ["--import", "tsx", path.join(__dirname, "load.ts"), "--prefix", pipeline.prefix];
  args.push("--rate", String(rate), "--seconds", String(seconds), ...projectIds);
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { env: { ...process.env, ...pipeline.env } }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout)),
    ),
  );
}

/** bench/isolation/retry-tiers.ts, once it says it is running. */
async function startRetryTiersProcess(pipeline: Pipeline): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "retry-tiers.ts")], {
    env: { ...process.env, ...pipeline.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the retry tiers process exited with ${code}`)));
    child.stdout?.once("data", () => resolve());
  });
  return child;
}

async function main() {
  // The product's defaults: ladder 5s, 30s, 2m..., breaker after 20 failures, a probe each 30 s.
  const split = values["inline-retry"] !== true;
  const h = await startRetryHarness(split ? { EVENTSTREAMS_RETRY_CONSUMERS: "false" } : {});
  const tiers = split ? await startRetryTiersProcess(h.pipeline) : undefined;
  const down = { outcome: "retryable", code: "ServiceUnavailable", message: "down" } as const;

  /** B at `rate` for `seconds`, with A at the same rate unless A is "none". */
  async function measure(
    aIs: "none" | "healthy" | "down",
    profile?: string,
  ): Promise<Figures & { aFailures: number }> {
    const b = await h.fakeStream();
    h.fakes.set(b.id, () => ({ outcome: "delivered" }), 2);
    const a = await h.fakeStream();
    if (aIs === "down") h.fakes.set(a.id, () => down, 300);
    else h.fakes.set(a.id, () => ({ outcome: "delivered" }), 2);
    const session = profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    const loop = monitorEventLoopDelay({ resolution: 10 });
    let gcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    gc.observe({ entryTypes: ["gc"] });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    const projects = aIs === "none" ? [b.projectId] : [b.projectId, a.projectId];
    const { perProject: published, publishP99Ms } = await publishFromAnotherProcess(h.pipeline, projects);
    await waitFor(() => h.fakes.deliveredIds(b.id).size === published, {
      timeoutMs: 120_000,
      description: () => `B's ${published} events delivered (${h.fakes.deliveredIds(b.id).size})`,
    });
    const cores = cpuSeconds(cpuBefore) / (seconds || 1);
    loop.disable();
    gc.disconnect();
    if (session && profile) {
      const { profile: taken } = await session.post("Profiler.stop");
      writeFileSync(profile, JSON.stringify(taken));
      session.disconnect();
    }
    // A's deliveries still on the ladder are dropped when due once its stream is gone (a read, no write).
    await Promise.all([h.pipeline.removeStream(a.id), h.pipeline.removeStream(b.id)]);
    const calls = h.fakes.callsOf(b.id);
    const latencies = calls.map((c) => c.at - c.eventAt).sort((x, y) => x - y);
    // From B's first event published to its last delivered.
    const ms = Math.max(...calls.map((c) => c.at)) - Math.min(...calls.map((c) => c.eventAt));
    return {
      events: published,
      eventsPerSecond: Math.round((published * 1000) / ms),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? 0,
      connectorCores: round(cores, 2),
      publishP99Ms,
      loopDelayP99Ms: round(loop.percentile(99) / 1e6, 1),
      loopDelayMaxMs: round(loop.max / 1e6, 1),
      gcMs: Math.round(gcMs),
      aFailures: h.fakes.callsOf(a.id).filter((c) => c.outcome !== "delivered").length,
    };
  }

  await measure("none"); // warm-up: JIT, connections, the first fetches; not reported
  const rows: { round: number; scenario: string; figures: Figures & { aFailures: number } }[] = [];
  const only = new Set(values.only.split(",").map((s) => s.trim()));
  const profileDir = values["cpu-prof"];
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  for (let r = 1; r <= rounds; r++) {
    for (const aIs of (["none", "healthy", "down"] as const).filter((s) => only.has(s))) {
      const profile =
        profileDir && aIs === "down" ? path.join(profileDir, `isolation-down-${r}.cpuprofile`) : undefined;
      const figures = await measure(aIs, profile);
      const scenario = SCENARIOS[aIs];
      rows.push({ round: r, scenario, figures });
      process.stdout.write(
        `round ${r} ${scenario.padEnd(16)} ${figures.eventsPerSecond} events/s, latency p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms, connector ${figures.connectorCores} cores, loop delay p99 ${figures.loopDelayP99Ms} ms max ${figures.loopDelayMaxMs} ms, gc ${figures.gcMs} ms, publish p99 ${figures.publishP99Ms} ms` +
          (aIs === "down" ? ` (A: ${figures.aFailures} failed calls)` : "") +
          "\n",
      );
    }
  }
  tiers?.kill("SIGTERM");
  await h.close();

  const median = (scenario: string, pick: (f: Figures) => number) => {
    const sorted = rows
      .filter((r) => r.scenario === scenario)
      .map((r) => pick(r.figures))
      .sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN; // NaN: scenario not run (--only)
  };
  const summary = Object.fromEntries(
    (
      [
        "eventsPerSecond",
        "p50",
        "p99",
        "max",
        "connectorCores",
        "loopDelayP99Ms",
        "loopDelayMaxMs",
        "gcMs",
        "publishP99Ms",
      ] as const
    ).map((k) => {
      const alone = median(SCENARIOS.none, (f) => f[k]);
      const withAHealthy = median(SCENARIOS.healthy, (f) => f[k]);
      const withADown = median(SCENARIOS.down, (f) => f[k]);
      const ratio = (x: number, y: number) => (y > 0 ? round(x / y, 2) : 0);
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
  process.stdout.write(
    `\nmedians over ${rounds} rounds (B at ${rate} events/s for ${seconds} s; retry tiers ${split ? "in their own process" : "in the connector's"}):\n`,
  );
  for (const [k, v] of Object.entries(summary)) {
    process.stdout.write(
      `  ${k.padEnd(15)} alone ${v.alone}, A healthy ${v.withAHealthy}, A down ${v.withADown}: down/alone ${v.downVsAlone}, down/healthy ${v.downVsHealthy}\n`,
    );
  }
  const dir = path.join(findProjectRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `isolation-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ rate, seconds, rounds, splitRetry: split, rows, summary }, null, 2)}\n`,
  );
  process.stdout.write(`written to ${path.relative(process.cwd(), file)}\n`);
}

if (values.hostile) {
  void import("./hostile");
} else {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  });
}
