/**
 * Producer benchmark: N catalog events over P projects through the SDK (validation, Avro, batching,
 * idempotent acks=all), then the same records (key, pre-encoded value, timestamp) through a bare
 * kafkajs producer with the same settings and batch boundaries, which is the ceiling the SDK is
 * measured against. Prints and writes JSON to bench/results/. Usage: npm run bench:producer --
 * [--events N] [--projects P] [--compression gzip|none] [--window W] [--batch B] [--rounds R]
 * [--warmup N] [--only sdk|bare]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { EventMix } from "../../apps/simulate/event-mix";
import { createEventPublisher, type EventInput } from "../../producers";
import { DEFAULT_MAX_BATCH_BYTES, sizeOf } from "../../producers/send-queue";
import { DOMAINS } from "../../src/events/domain-event";
import { GZIP_LEVEL, useFastGzip } from "../../src/kafka/gzip-codec";
import { KeyCachingPartitioner } from "../../src/kafka/key-caching-partitioner";
import { findProjectRoot } from "../../src/project-root";
import { createRegistry } from "../../src/schemas/avro-types";
import { RegistryAdmin } from "../../src/schemas/registry-admin";
import { registerDomainSchemas } from "../../src/schemas/schema-sync";
import { stackEndpoints, stackSettings } from "../../src/settings/stack-settings";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../src/topics/create-topics";
import { domainTopic, domainTopics, valueSubject } from "../../src/topics/domain-topics";
import { mib, percentile, round, rssSampler } from "./stats";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const EVENTS = Number(arg("events", "200000"));
const PROJECTS = Number(arg("projects", "100"));
const COMPRESSION = arg("compression", "gzip") as "gzip" | "none";
/** Publish calls the SDK run keeps outstanding, as many concurrent requests of a service would. */
const WINDOW = Number(arg("window", "20000"));
const BATCH = Number(arg("batch", "10000"));
/** Rounds of SDK then bare; each side reports its best round, so a burst of load elsewhere counts less. */
const ROUNDS = Number(arg("rounds", "2"));
/** Unmeasured records each side sends first: connections, schema ids, and kafkajs's code warm for both. */
const WARMUP = Number(arg("warmup", "20000"));
/** `sdk` or `bare` runs one side only (for profiling with --cpu-prof); default both. */
const ONLY = arg("only", "both");

const defaults = stackEndpoints(stackSettings());
const brokers = (process.env.KAFKA_BROKERS ?? defaults.kafkaBrokers).split(",");
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? defaults.schemaRegistryUrl;
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<void> {
  const prefix = `bench-${Date.now().toString(36)}`;
  const kafka = new Kafka({ clientId: "bench-producer", brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  await ensureDomainTopics(admin, { ...DEFAULT_TOPIC_SETTINGS, prefix });
  await registerDomainSchemas(new RegistryAdmin(registryUrl), { prefix });
  say(
    `topics ${domainTopics(prefix).join(", ")}; ${EVENTS} events over ${PROJECTS} projects, ${COMPRESSION}`,
  );

  const mix = new EventMix(DOMAINS, PROJECTS);
  const events = Array.from({ length: EVENTS }, () => mix.next() as EventInput);
  try {
    const records = await preEncode(prefix, events);
    const bytes = records.reduce((sum, r) => sum + r.value.length + r.key.length, 0);
    if (ONLY !== "both") {
      const one = ONLY === "sdk" ? await runSdk(prefix, events, bytes) : await runBare(kafka, records, bytes);
      say(`${ONLY} only (not written): ${JSON.stringify(one)}`);
      return;
    }
    const rounds: Array<{ sdk: number; bare: number }> = [];
    let sdk: Awaited<ReturnType<typeof runSdk>> | undefined;
    let bare: Awaited<ReturnType<typeof runBare>> | undefined;
    for (let i = 0; i < ROUNDS; i++) {
      const s = await runSdk(prefix, events, bytes);
      const b = await runBare(kafka, records, bytes);
      rounds.push({ sdk: s.eventsPerSecond, bare: b.eventsPerSecond });
      if (!sdk || s.eventsPerSecond > sdk.eventsPerSecond) sdk = s;
      if (!bare || b.eventsPerSecond > bare.eventsPerSecond) bare = b;
    }
    if (!sdk || !bare) throw new Error("--rounds must be at least 1");
    const result = {
      at: new Date().toISOString(),
      node: process.version,
      events: EVENTS,
      projects: PROJECTS,
      compression: COMPRESSION === "gzip" ? `gzip level ${GZIP_LEVEL}` : COMPRESSION,
      sdk,
      bare,
      sdkShareOfBare: round(sdk.eventsPerSecond / bare.eventsPerSecond, 3),
      rounds,
      loadAverage: os.loadavg().map((l) => round(l, 2)),
      targets: { eventsPerSecond: 50_000, shareOfBare: 0.7 },
    };
    const dir = path.join(findProjectRoot(), "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `producer-${result.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    say(
      `SDK ${sdk.eventsPerSecond} events/s (${sdk.mbPerSecond} MB/s, p50 ${sdk.latencyMs.p50} ms, p99 ${sdk.latencyMs.p99} ms, RSS ${sdk.peakRssMiB} MiB, CPU ${sdk.cpuUsPerEvent} µs/event); bare ${bare.eventsPerSecond} events/s (CPU ${bare.cpuUsPerEvent} µs/event); SDK = ${(result.sdkShareOfBare * 100).toFixed(0)}% of bare; written to ${file}`,
    );
  } finally {
    // The bench's own topics only: they exist for this run.
    await admin.deleteTopics({ topics: domainTopics(prefix) }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function runSdk(prefix: string, events: EventInput[], bytes: number) {
  const publisher = createEventPublisher({
    brokers,
    registryUrl,
    topicPrefix: prefix,
    compression: COMPRESSION,
    maxBatchEvents: BATCH,
  });
  // Warm-up: connection, schema ids, JIT; not measured.
  await Promise.all(events.slice(0, WARMUP).map((e) => publisher.publish(e)));

  const latencies = new Float64Array(events.length);
  // Up to WINDOW calls outstanding, as concurrent requests of a service would keep them; resume at
  // half (`<=`: with WINDOW = 2 x BATCH one acknowledged batch is enough). No array of 200,000
  // promises: a counter, so the bench does not load the GC with garbage of its own.
  let outstanding = 0;
  let resumeAt = WINDOW / 2;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const settled = () => {
    if (--outstanding <= resumeAt && wake) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  const rss = rssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < events.length; i++) {
    if (outstanding >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    const t0 = performance.now();
    outstanding++;
    publisher.publish(events[i] as EventInput).then(
      () => {
        latencies[i] = performance.now() - t0;
        settled();
      },
      (error: unknown) => {
        failure ??= error;
        settled();
      },
    );
  }
  resumeAt = 0;
  if (outstanding > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure) throw failure;
  const seconds = (performance.now() - started) / 1000;
  const cpuUsPerEvent = cpuPerEvent(cpu, events.length);
  const peakRss = rss.stop();
  await publisher.close();
  latencies.sort();
  return {
    eventsPerSecond: Math.round(events.length / seconds),
    mbPerSecond: round(mib(bytes) / seconds, 2),
    seconds: round(seconds, 2),
    latencyMs: { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1) },
    peakRssMiB: Math.round(mib(peakRss)),
    cpuUsPerEvent,
    window: WINDOW,
  };
}

/**
 * The records cut where the SDK's send queue cuts them: at BATCH records, or before a topic's
 * share of the request would pass the SDK's byte cap (DEFAULT_MAX_BATCH_BYTES, by the same estimate).
 */
function sdkBatches(records: Records): Records[] {
  const batches: Records[] = [];
  let batch: Records = [];
  let perTopic = new Map<string, number>();
  for (const record of records) {
    const bytes = (perTopic.get(record.topic) ?? 0) + sizeOf(record);
    if (batch.length === BATCH || (batch.length > 0 && bytes > DEFAULT_MAX_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      perTopic = new Map();
    }
    perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + sizeOf(record));
    batch.push(record);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** This process's CPU time (all threads: JavaScript, GC, gzip in libuv's pool) per event since `since`. */
function cpuPerEvent(since: NodeJS.CpuUsage, events: number): number {
  const { user, system } = process.cpuUsage(since);
  return round((user + system) / events, 1);
}

function envelope(e: EventInput) {
  return {
    id: "00000000-0000-4000-8000-000000000000",
    name: e.name,
    version: "1",
    timestamp: new Date(),
    projectId: e.projectId,
    eventAttributes: e.eventAttributes ?? {},
    source: null,
    traceparent: null,
  };
}

/** The same events in the same wire format, encoded beforehand for the bare run. */
async function preEncode(prefix: string, events: EventInput[]) {
  const registry = createRegistry(registryUrl);
  const admin = new RegistryAdmin(registryUrl);
  const ids = new Map<string, number>();
  for (const domain of DOMAINS)
    ids.set(domain, (await admin.latest(valueSubject(domainTopic(domain, prefix))))?.id as number);
  // One at a time: concurrent cache misses in the registry client would each parse the schema.
  const records: Array<{ topic: string; key: string; value: Buffer; timestamp: string }> = [];
  for (const e of events) {
    const domain = (e as { domain: (typeof DOMAINS)[number] }).domain;
    const event = { ...envelope(e), id: crypto.randomUUID() };
    const value = await registry.encode(ids.get(domain) as number, event);
    // The record timestamp is the event's, as the SDK sets it.
    const timestamp = String(event.timestamp.getTime());
    records.push({ topic: domainTopic(domain, prefix), key: e.projectId, value, timestamp });
  }
  return records;
}

type Records = Awaited<ReturnType<typeof preEncode>>;

/**
 * The ceiling: the pre-encoded events (key, value, timestamp: the SDK's records) through kafkajs with
 * the SDK's producer settings (idempotent, acks=all, partitioner, compression) and batch size.
 */
async function runBare(kafka: Kafka, records: Records, bytes: number) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: KeyCachingPartitioner,
  });
  await producer.connect();
  const compression = COMPRESSION === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
  // The SDK's gzip level; kafkajs's codec table is process-wide, so this only matters with --only bare.
  if (compression === CompressionTypes.GZIP) useFastGzip();
  const send = async (slice: Records) => {
    const byTopic = new Map<string, { key: string; value: Buffer; timestamp: string }[]>();
    for (const r of slice) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.key, value: r.value, timestamp: r.timestamp });
      byTopic.set(r.topic, list);
    }
    await producer.sendBatch({
      acks: -1,
      compression,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  };
  for (const batch of sdkBatches(records.slice(0, WARMUP))) await send(batch); // warm-up
  const batches = sdkBatches(records);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) await send(batch);
  const seconds = (performance.now() - started) / 1000;
  const cpuUsPerEvent = cpuPerEvent(cpu, records.length);
  await producer.disconnect();
  return {
    eventsPerSecond: Math.round(records.length / seconds),
    mbPerSecond: round(mib(bytes) / seconds, 2),
    seconds: round(seconds, 2),
    cpuUsPerEvent,
    batch: BATCH,
    requests: batches.length,
  };
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
