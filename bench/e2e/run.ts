/**
 * End-to-end benchmark (issue 8): N events over 1,000 projects with one SNS stream each, through
 * the real connector process to a fast fake SNS endpoint (STS stays on the emulator), against the
 * Kafka, SNS-client and naive ceilings measured in the same run. Writes JSON and a markdown table
 * to bench/results/. `npm run bench:e2e` starts it with the connector's V8 flags (connectors/node-flags.ts)
 * in NODE_OPTIONS, so the ceilings and the baseline, which run in this process, get the same runtime.
 * Each AWS transport (issue 22) drains the backlog and runs the latency test through a connector of
 * its own in the same run; the lean one (the default) is profiled and compared with the ceilings.
 * The run ends with the rows at a round trip's distance (issue 24, bench/e2e/network.ts).
 * Usage: npm run bench:e2e -- [--events N] [--latency-seconds S] [--rate R] [--latency-instances 1,2]
 *   [--transports sdk,lean,lean@0] [--latency-only | --throughput-only | --delivery-log-cost | --network-only]
 *   [--network-events N] [--network-streams-events N]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { runSimulation } from "../../apps/simulate/simulation";
import { LocalStack } from "../../apps/stack/stack";
import type { AwsTransport } from "../../connectors/sinks/aws/lean/transport-setting";
import { DOMAINS } from "../../src/events/domain-event";
import { findProjectRoot } from "../../src/project-root";
import { DEFAULT_DELIVERY_THREADS } from "../../src/settings/connector-settings";
import { clientEnvironment, stackEndpoints, stackSettings } from "../../src/settings/stack-settings";
import { domainTopics } from "../../src/topics/domain-topics";
import { freePort } from "../../support/hostile-destinations";
import { percentile, round } from "../producer/stats";
import { writeBenchResult } from "../results";
import { kafkaCeiling, naiveBaseline, snsCeiling, snsCeilingThreads } from "./ceilings";
import { runNetworkBench } from "./network";
import {
  cpuSeconds,
  cpuSecondsByThread,
  type FakeSns,
  type LatencySecond,
  type MemoryAtPeak,
  peakRssMiB,
  sampleMemory,
  spawnConnector,
  startFakeSns,
  waitFor,
} from "./processes";
import { summariseProfiles } from "./profile-summary";
import { markdown, networkTable, table } from "./report";
import { benchPublisher, createTopicsAndStreams, publishBacklog } from "./setup";

const text = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const arg = (name: string, fallback: string) => Number(text(name, fallback));
const EVENTS = arg("events", "200000");
const PROJECTS = arg("projects", "1000");
const LATENCY_SECONDS = arg("latency-seconds", "30");
const RATE = arg("rate", "1000");
/** Connector instances of each latency run, in order (more join the group between runs). */
const LATENCY_INSTANCES = text("latency-instances", "1,2")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
/** Stop after the latency run (no profile, ceilings or report): for iterating on latency alone. */
const LATENCY_ONLY = process.argv.includes("--latency-only");
/** Stop after the throughput run: for iterating on throughput alone. */
const THROUGHPUT_ONLY = process.argv.includes("--throughput-only");
/**
 * The deliveries log's cost (issue 19): the same backlog through fresh connectors with the log off
 * and on, twice each, alternating; nothing else. Writes bench/results/e2e-delivery-log-*.json.
 */
const DELIVERY_LOG_COST = process.argv.includes("--delivery-log-cost");
/** Only the rows with destinations a round trip away (issue 24, bench/e2e/network.ts). */
const NETWORK_ONLY = process.argv.includes("--network-only");
/**
 * The transports compared, each through a connector of its own on the same backlog (issue 22):
 * `transport` with the default delivery threads, `transport@N` with N of them (`lean@0`: the calls
 * on the event loop). Each entry once: an entry's consumer group is named by it.
 */
const TRANSPORTS = text("transports", "sdk,lean")
  .split(",")
  .map((entry) => {
    const [transport, threads] = entry.split("@");
    return { transport, threads: threads === undefined ? undefined : Number(threads) };
  })
  .filter(
    (t): t is { transport: AwsTransport; threads: number | undefined } =>
      t.transport === "sdk" || t.transport === "lean",
  );
/** The transport whose connector is profiled and reported against the ceilings: the default one. */
const PROFILED_TRANSPORT: AwsTransport = TRANSPORTS.some((t) => t.transport === "lean") ? "lean" : "sdk";
/** The delivery threads of a run: its own, the environment's, or the connector's default. */
const threadsOf = (run: { threads: number | undefined }) =>
  run.threads ?? Number(process.env.EVENTSTREAMS_DELIVERY_THREADS ?? DEFAULT_DELIVERY_THREADS);
/** The connector's SNS sockets (maxSockets 64): the SNS-client ceiling gets the same concurrency. */
const CONCURRENCY = 64;

const root = findProjectRoot();
const results = path.join(root, "bench", "results");
const say = (line: string) =>
  process.stderr.write(`[bench:e2e ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<void> {
  await new LocalStack().up();
  const endpoints = stackEndpoints(stackSettings());
  const stackEnv = clientEnvironment(endpoints);
  const { kafkaBrokers: brokers, schemaRegistryUrl: registryUrl } = endpoints;
  say("building dist/ (the connector process runs the compiled CLI)");
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  mkdirSync(path.join(results, "profile"), { recursive: true });
  if (NETWORK_ONLY) {
    const network = await networkBench(stackEnv);
    say(`wrote ${writeBenchResult("e2e-network", network)}`);
    return;
  }

  const prefix = `bench-e2e-${Date.now().toString(36)}`;
  const kafka = new Kafka({ clientId: "bench-e2e", brokers: brokers.split(","), logLevel: logLevel.ERROR });
  const topics = domainTopics(prefix);
  const fake = await startFakeSns();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { projectIds, arnByProject } = await createTopicsAndStreams(kafka, prefix, PROJECTS);
    const publisher = benchPublisher(brokers, registryUrl, prefix);
    const t = performance.now();
    const events = await publishBacklog(publisher, projectIds, EVENTS);
    say(
      `${prefix}: ${PROJECTS} streams, ${EVENTS} events published in ${round((performance.now() - t) / 1000)} s; fake SNS ${fake.url}`,
    );

    const env = (group: string) => ({
      ...stackEnv,
      AWS_ENDPOINT_URL_SNS: fake.url, // only SNS goes to the fake; STS stays on the emulator
      EVENTSTREAMS_TOPIC_PREFIX: prefix,
      EVENTSTREAMS_GROUP_ID: `${prefix}-${group}`,
      EVENTSTREAMS_OPS_PORT: "0",
    });

    if (DELIVERY_LOG_COST) {
      await measureDeliveryLogCost(fake, env);
      await publisher.close();
      return;
    }

    // Each transport in turn, same backlog and rate, a consumer group of its own: the backlog
    // through a fresh connector (throughput, peak RSS), then a steady rate with the same connector
    // running and again with more instances in its group (scaling out), each after a warm-up
    // (rebalance, credentials) that is not measured.
    const simulate = (seconds: number) =>
      runSimulation(publisher, {
        domains: DOMAINS,
        rate: RATE,
        projects: PROJECTS,
        projectIds,
        durationMs: seconds * 1000,
      });
    const runs: TransportRun[] = [];
    for (const configuration of TRANSPORTS) {
      const { transport } = configuration;
      const deliveryThreads = threadsOf(configuration);
      const label = configuration.threads === undefined ? transport : `${transport}@${deliveryThreads}`;
      const envOf = (group: string) => ({
        ...env(`${label.replace("@", "-")}-${group}`),
        EVENTSTREAMS_AWS_TRANSPORT: transport,
        EVENTSTREAMS_DELIVERY_THREADS: String(deliveryThreads),
      });
      await fake.reset();
      const opsPort = await freePort();
      const connector = spawnConnector(
        { ...envOf("connector"), EVENTSTREAMS_OPS_PORT: String(opsPort) },
        path.join(results, `${prefix}-${label}-connector.log`),
        process.env.E2E_CONNECTOR_FLAGS?.split(" ").filter(Boolean) ?? [],
      );
      const memory = sampleMemory(connector.pid, `http://127.0.0.1:${opsPort}/metrics`);
      const throughput = await drain(fake, connector.pid, EVENTS, PROJECTS);
      const backlogRssMiB = peakRssMiB(connector.pid);
      const memoryAtPeak = await memory.stop();
      say(
        `${label}: at the highest RSS sampled (${memoryAtPeak.rssMiB} MiB), heap MiB by thread: ${JSON.stringify(memoryAtPeak.heapMiB)}`,
      );
      say(
        `${label}: ${throughput.eventsPerSecond} events/s sustained, ${throughput.cpuSecondsPer1000} CPU s / 1000 (after a ${throughput.warmUpSeconds} s credential warm-up; overall ${throughput.overall.eventsPerSecond} events/s), peak RSS ${backlogRssMiB} MiB; calls by events carried (1..10): ${throughput.batchSizes.slice(1).join(" ")}`,
      );
      if (THROUGHPUT_ONLY) {
        await connector.stop();
        runs.push({
          transport,
          deliveryThreads,
          label,
          connector: { ...throughput, peakRssMiB: backlogRssMiB, memoryAtPeak },
          latency: [],
        });
        continue;
      }
      const instances = [connector];
      const latency: LatencyRun[] = [];
      for (const count of LATENCY_INSTANCES) {
        const scaledOut = count > instances.length;
        while (instances.length < count)
          instances.push(
            spawnConnector(
              envOf("connector"),
              path.join(results, `${prefix}-${label}-connector-${instances.length + 1}.log`),
            ),
          );
        // Long enough for a rebalance and, on the emulator's slow STS, AssumeRole for every moved project.
        await fake.reset();
        const warm = await simulate(scaledOut ? 30 : 10);
        // Every warm-up event delivered before the measurement starts: a tail of them still in
        // flight would arrive inside it, late, and count as its latency.
        await waitFor(async () => (await fake.stats()).timed >= warm.acknowledged, 60_000);
        latency.push(await measureLatency(fake, instances, () => simulate(LATENCY_SECONDS)));
      }
      await Promise.all(instances.slice(1).map((c) => c.stop()));
      await connector.stop();
      runs.push({
        transport,
        deliveryThreads,
        label,
        connector: { ...throughput, peakRssMiB: backlogRssMiB, memoryAtPeak },
        latency,
      });
    }
    await publisher.close();
    const transportsReport = {
      at: new Date().toISOString(),
      node: process.version,
      events: EVENTS,
      projects: PROJECTS,
      rate: RATE,
      runs,
      ...leanOverSdk(runs),
    };
    if (THROUGHPUT_ONLY || LATENCY_ONLY) {
      say(`wrote ${writeBenchResult("e2e-transports", transportsReport)}`);
      return;
    }

    // Profile: the same backlog again, new group, with --cpu-prof (written on the clean SIGTERM exit).
    await fake.reset();
    const profileDir = path.join(results, "profile");
    const before = new Set(readdirSync(profileDir));
    const profiled = spawnConnector(
      { ...env("profiled"), EVENTSTREAMS_AWS_TRANSPORT: PROFILED_TRANSPORT },
      path.join(results, `${prefix}-profiled.log`),
      ["--cpu-prof", "--cpu-prof-dir", profileDir],
    );
    await waitFor(async () => (await fake.stats()).unique >= EVENTS, 600_000, 500);
    await profiled.stop();
    // One profile per thread: the event loop and each delivery thread.
    const profileFiles = readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile") && !before.has(f));
    const profile =
      profileFiles.length > 0
        ? summariseProfiles(
            profileFiles.map((f) => path.join(profileDir, f)),
            root,
          )
        : undefined;

    say("ceilings: Kafka fetch + decode");
    const kafkaOnly = await kafkaCeiling(kafka, topics, registryUrl, EVENTS);
    say("ceilings: SNS client PublishBatch (SDK, then lean)");
    const snsOnly = await snsCeiling(events, fake.url, CONCURRENCY, "sdk");
    const snsLean = await snsCeiling(events, fake.url, CONCURRENCY, "lean");
    // The connector's calls run on its delivery threads: the same loop on as many threads too.
    const threads = Number(process.env.EVENTSTREAMS_DELIVERY_THREADS ?? DEFAULT_DELIVERY_THREADS);
    if (threads > 1) say(`ceilings: SNS client PublishBatch on ${threads} threads (SDK, then lean)`);
    const snsThreads =
      threads > 1 ? await snsCeilingThreads(events, fake.url, CONCURRENCY, threads, "sdk") : undefined;
    const snsLeanThreads =
      threads > 1 ? await snsCeilingThreads(events, fake.url, CONCURRENCY, threads, "lean") : undefined;
    say("baseline: naive eachMessage + Publish + commit");
    const naive = await naiveBaseline(
      kafka,
      topics,
      registryUrl,
      fake.url,
      (p) => arnByProject.get(p) ?? "",
      {
        ms: 30_000,
        events: 20_000,
      },
    );

    // The connector's figures in the report are the default transport's run.
    const reported =
      runs.find((r) => r.transport === PROFILED_TRANSPORT && r.label === r.transport) ??
      (runs[0] as TransportRun);
    const result = {
      at: new Date().toISOString(),
      transport: reported.transport,
      connector: reported.connector,
      latency: reported.latency,
      node: process.version,
      machine: { cores: 2, note: "Kafka, schema registry and moto run on the same machine" },
      nodeOptions: process.env.NODE_OPTIONS ?? "",
      events: EVENTS,
      projects: PROJECTS,
      transports: transportsReport,
      deliveryThreads: threads,
      ceilings: {
        kafka: kafkaOnly,
        snsClient: snsOnly,
        snsLean,
        snsClientThreads: snsThreads,
        snsLeanThreads,
        naive,
      },
      ratios: {
        ofSnsCeiling: round(
          reported.connector.eventsPerSecond / snsCeilingOf(reported.transport, snsOnly, snsLean),
          2,
        ),
        overallOfSnsCeiling: round(
          reported.connector.overall.eventsPerSecond / snsCeilingOf(reported.transport, snsOnly, snsLean),
          2,
        ),
        ofSnsCeilingThreads:
          snsThreads &&
          snsLeanThreads &&
          round(
            reported.connector.eventsPerSecond / snsCeilingOf(reported.transport, snsThreads, snsLeanThreads),
            2,
          ),
        ofNaive: round(reported.connector.eventsPerSecond / naive.eventsPerSecond, 1),
        ofKafkaCeiling: round(reported.connector.eventsPerSecond / kafkaOnly.eventsPerSecond, 2),
      },
      targets: {
        ofSnsCeiling: 0.7,
        ofNaive: 5,
        p99Ms: 50,
        leanOverSdkThroughput: 2,
        coresAt1000PerSecond: 0.3,
        backlogPeakRssMiB: 400,
      },
      profile: profile && { files: profileFiles, ...profile },
      network: await networkBench(stackEnv),
    };
    const base = path.join(results, `e2e-${result.at.replace(/[:.]/g, "-")}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(`${base}.md`, markdown(result));
    process.stdout.write(`${table(result)}\nwritten to ${base}.json and .md\n`);
  } finally {
    fake.stop();
    // The bench's own topics only: they exist for this run.
    const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    await admin.deleteTopics({ topics: ours }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The rows at a round trip's distance (issue 24), each figure with its delay. */
async function networkBench(stackEnv: Record<string, string>) {
  const { rows, loopbackStreams } = await runNetworkBench({
    stackEnv,
    resultsDir: results,
    events: arg("network-events", "40000"),
    streamsEvents: arg("network-streams-events", "100000"),
    say,
  });
  process.stdout.write(`${networkTable(rows)}\n`);
  return { bench: "e2e-network", at: new Date().toISOString(), node: process.version, rows, loopbackStreams };
}

async function measureDeliveryLogCost(
  fake: FakeSns,
  env: (group: string) => Record<string, string>,
): Promise<void> {
  const runs: { log: boolean; eventsPerSecond: number; cpuSecondsPer1000: number }[] = [];
  for (const log of [false, true, false, true]) {
    await fake.reset();
    const group = `log-${log ? "on" : "off"}-${runs.length}`;
    const connector = spawnConnector(
      { ...env(group), EVENTSTREAMS_DELIVERY_LOG: String(log) },
      path.join(results, `delivery-log-${group}.log`),
    );
    const run = await drain(fake, connector.pid, EVENTS, PROJECTS);
    await connector.stop();
    say(
      `deliveries log ${log ? "on " : "off"}: ${run.eventsPerSecond} events/s, ${run.cpuSecondsPer1000} CPU s / 1000`,
    );
    runs.push({ log, eventsPerSecond: run.eventsPerSecond, cpuSecondsPer1000: run.cpuSecondsPer1000 });
  }
  const mean = (log: boolean, key: "eventsPerSecond" | "cpuSecondsPer1000") => {
    const of = runs.filter((r) => r.log === log);
    return of.reduce((sum, r) => sum + r[key], 0) / of.length;
  };
  const report = {
    bench: "e2e-delivery-log",
    at: new Date().toISOString(),
    node: process.version,
    events: EVENTS,
    projects: PROJECTS,
    runs,
    off: {
      eventsPerSecond: Math.round(mean(false, "eventsPerSecond")),
      cpuSecondsPer1000: round(mean(false, "cpuSecondsPer1000"), 3),
    },
    on: {
      eventsPerSecond: Math.round(mean(true, "eventsPerSecond")),
      cpuSecondsPer1000: round(mean(true, "cpuSecondsPer1000"), 3),
    },
    throughputCostPercent: round(
      (1 - mean(true, "eventsPerSecond") / mean(false, "eventsPerSecond")) * 100,
      1,
    ),
    target: { throughputCostPercent: 5 },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  say(`wrote ${writeBenchResult(report.bench, report)}`);
}

interface TransportRun {
  transport: AwsTransport;
  deliveryThreads: number;
  /** `transport`, or `transport@threads` for a run with threads of its own. */
  label: string;
  connector: Awaited<ReturnType<typeof drain>> & { peakRssMiB: number; memoryAtPeak: MemoryAtPeak };
  latency: LatencyRun[];
}

/**
 * The lean transport against the SDK's, when both ran with the default threads (`leanOverSdk`),
 * and against the SDK's on threads of its own (`leanOverSdkThreads`): throughput and cost ratios.
 */
function leanOverSdk(runs: TransportRun[]) {
  const lean = runs.find((r) => r.label === "lean");
  if (!lean) return {};
  const cores = (r: TransportRun) => r.latency[0]?.connectorCores ?? 0;
  const ratios = (sdk: TransportRun | undefined) =>
    sdk && {
      sdk: sdk.label,
      throughput: round(lean.connector.eventsPerSecond / sdk.connector.eventsPerSecond, 2),
      cpuPer1000: round(lean.connector.cpuSecondsPer1000 / sdk.connector.cpuSecondsPer1000, 2),
      coresAtRate: cores(sdk) ? round(cores(lean) / cores(sdk), 2) : undefined,
      peakRss: round(lean.connector.peakRssMiB / sdk.connector.peakRssMiB, 2),
    };
  return {
    leanOverSdk: ratios(runs.find((r) => r.label === "sdk")),
    leanOverSdkThreads: ratios(runs.find((r) => r.transport === "sdk" && r.label !== "sdk")),
  };
}

/** A loopback port nothing listens on now, for a connector's /metrics. */

function snsCeilingOf<T extends { eventsPerSecond: number }>(
  transport: AwsTransport,
  sdk: T,
  lean: T,
): number {
  return (transport === "lean" ? lean : sdk).eventsPerSecond;
}

interface LatencyRun {
  rate: number;
  seconds: number;
  instances: number;
  published: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  eventsPerCall: number;
  /** Cores the connector instances used together during the run. */
  connectorCores: number;
  /** The same cores by kind of thread (processes.ts, cpuSecondsByThread). */
  connectorCoresByThread: Record<string, number>;
  /** Per second of receipt: where in the run the tail comes from. */
  timeline: LatencySecond[];
}

/** One measured run at the steady rate: latency = fake receipt − event timestamp, unique events. */
async function measureLatency(
  fake: FakeSns,
  instances: { pid: number }[],
  simulate: () => Promise<{ acknowledged: number }>,
): Promise<LatencyRun> {
  await fake.reset();
  const cpuOf = () => instances.reduce((sum, c) => sum + cpuSeconds(c.pid), 0);
  const cpuByThreadOf = () => instances.map((c) => cpuSecondsByThread(c.pid));
  const cpuBefore = cpuOf();
  const cpuByThreadBefore = cpuByThreadOf();
  const sim = await simulate();
  await waitFor(async () => (await fake.stats()).timed >= sim.acknowledged, 60_000);
  const cpuUsed = cpuOf() - cpuBefore;
  const byThread: Record<string, number> = {};
  cpuByThreadOf().forEach((after, i) => {
    for (const [kind, seconds] of Object.entries(after))
      byThread[kind] = (byThread[kind] ?? 0) + seconds - (cpuByThreadBefore[i]?.[kind] ?? 0);
  });
  const calls = await fake.stats();
  const lat = Float64Array.from(await fake.latencies()).sort();
  const run: LatencyRun = {
    rate: RATE,
    seconds: LATENCY_SECONDS,
    instances: instances.length,
    published: sim.acknowledged,
    received: lat.length,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    maxMs: lat.length ? (lat[lat.length - 1] as number) : 0,
    eventsPerCall: round(calls.messages / Math.max(calls.requests, 1), 2),
    connectorCores: round(cpuUsed / LATENCY_SECONDS, 2),
    connectorCoresByThread: Object.fromEntries(
      Object.entries(byThread).map(([kind, seconds]) => [kind, round(seconds / LATENCY_SECONDS, 3)]),
    ),
    timeline: await fake.timeline(),
  };
  say(
    `latency (${run.instances} instance(s)): p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, max ${run.maxMs} ms; ${run.eventsPerCall} events/call, ${run.connectorCores} cores`,
  );
  say(`connector cores by thread: ${JSON.stringify(run.connectorCoresByThread)}`);
  say(`latency per second (p99 ms): ${run.timeline.map((s) => s.p99).join(" ")}`);
  return run;
}

/**
 * Waits for `target` unique events at the fake. Sustained: from the moment every stream had its first
 * event delivered (its AssumeRole answered by the emulator's STS, ~10 ms each, one per project) to the
 * last receipt, with the connector's CPU over the same span. Overall: from the first receipt, the
 * credential warm-up included. The SNS-client ceiling has no such warm-up (static credentials).
 */
async function drain(fake: FakeSns, pid: number, target: number, streams: number) {
  await waitFor(async () => (await fake.stats()).unique > 0, 120_000, 20);
  // CPU sampled as it goes, to read it at the warm-up's end once that is known.
  const cpu: { at: number; seconds: number }[] = [];
  const finished = await waitFor(async () => {
    cpu.push({ at: Date.now(), seconds: cpuSeconds(pid) });
    return (await fake.stats()).unique >= target;
  }, 900_000);
  const s = await fake.stats();
  if (!finished) say(`connector delivered only ${s.unique} of ${target} before the deadline`);
  const { uniqueAt, topicFirst } = await fake.arrivals();
  if (topicFirst.length < streams) say(`only ${topicFirst.length} of ${streams} streams received anything`);
  const warmAt = Math.max(...topicFirst);
  const cpuAt = (at: number) => (cpu.find((c) => c.at >= at) ?? cpu[cpu.length - 1])?.seconds ?? 0;
  const cpuEnd = cpuAt(s.last);
  const sustained = {
    events: uniqueAt.filter((t) => t > warmAt).length,
    seconds: (s.last - warmAt) / 1000,
    cpu: cpuEnd - cpuAt(warmAt),
  };
  const overallSeconds = (s.last - s.first) / 1000;
  return {
    delivered: s.unique,
    messages: s.messages,
    requests: s.requests,
    warmUpSeconds: round((warmAt - s.first) / 1000, 2),
    seconds: round(sustained.seconds, 2),
    eventsPerSecond: Math.round(sustained.events / Math.max(sustained.seconds, 0.001)),
    cpuSeconds: round(sustained.cpu, 2),
    cpuSecondsPer1000: round((sustained.cpu / Math.max(sustained.events, 1)) * 1000, 3),
    overall: {
      seconds: round(overallSeconds, 2),
      eventsPerSecond: Math.round(s.unique / Math.max(overallSeconds, 0.001)),
      cpuSecondsPer1000: round(((cpuEnd - (cpu[0]?.seconds ?? 0)) / s.unique) * 1000, 3),
    },
    /** [n] = PublishBatch calls that carried n events. */
    batchSizes: s.batchSizes,
  };
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
