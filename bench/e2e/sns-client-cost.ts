/**
 * What one SNS `PublishBatch` costs in CPU with the AWS SDK, per variant of how the client is set up:
 * one client or 1,000 round-robin (the connector: one per project), static credentials or an async
 * provider (the connector's AssumedRoleCredentials, its STS stubbed), 1 or 10 entries, with or
 * without the sink's MessageAttributes, and client options that may cut per-call work.
 *
 * Every variant runs in its own child process (JIT and GC state of one never colours another) against
 * the benchmark's fake SNS endpoint (bench/e2e/fake-sns.ts, another process), 64 calls in flight as
 * the sink allows per region. CPU is process.cpuUsage() (user + system) of the child over the measured
 * calls only; the fake endpoint's CPU is not in it.
 *
 *   npx tsx bench/e2e/sns-client-cost.ts [--calls 4000] [--repeat 3] [--only a,b] [--cpu-prof]
 *
 * Prints a table; writes bench/results/sns-client-cost-<time>.json (and, with --cpu-prof, one
 * profile of each variant's measured calls under bench/results/profile/; the profiler
 * itself adds CPU, so take figures from a run without it).
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import * as path from "node:path";
import { createInterface } from "node:readline";
import {
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  PublishCommand,
  SNSClient,
} from "@aws-sdk/client-sns";
import type { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { EventMix } from "../../apps/simulate/event-mix";
import { AssumedRoleCredentials } from "../../connectors/sinks/aws/assumed-role-credentials";
import { outgoingMessage } from "../../connectors/sinks/aws/batch/outgoing-message";
import { reusedSigner } from "../../connectors/sinks/aws/client-signer";
import { withFastProperties } from "../../connectors/sinks/aws/fast-properties";
import { snsService } from "../../connectors/sinks/sns";
import { DOMAINS, type DomainEvent } from "../../src/events/domain-event";
import { findProjectRoot } from "../../src/project-root";
import { startFakeSns } from "./processes";

interface Variant {
  name: string;
  /** Clients used round-robin, each with its own topic (and, with `provider`, its own role). */
  clients: 1 | 1000;
  credentials: "static" | "provider";
  entries: 1 | 10;
  attributes: boolean;
  /** "plain": keep-alive pool only (the ceiling's); "sink": plus the sink's connect/request timeouts. */
  handler: "plain" | "sink";
  /** "option": `endpoint` in the client config; "env": AWS_ENDPOINT_URL_SNS, as the connector gets it. */
  endpoint: "option" | "env";
  /** Extra SNSClient options. */
  options?: Record<string, unknown>;
  /** "sdk": the SDK's default (a new SignatureV4 per call); "reused": connectors/sinks/aws/client-signer.ts. */
  signer?: "sdk" | "reused";
  /** "Publish" sends the one entry with `Publish` instead of a `PublishBatch` of one. */
  command?: "PublishBatch" | "Publish";
  /** Client config given V8's fast property layout, as AssumedRoleClients does (fast-properties.ts). */
  fastProperties?: boolean;
}

/** What the connector's SNS sink does (before this benchmark): per-project clients, assumed roles. */
const sink = {
  clients: 1000,
  credentials: "provider",
  attributes: true,
  handler: "sink",
  endpoint: "env",
} as const;
/** The e2e SNS-client ceiling (bench/e2e/ceilings.ts): one client, static credentials. */
const ceiling = {
  clients: 1,
  credentials: "static",
  attributes: true,
  handler: "plain",
  endpoint: "option",
} as const;
const cached = { cacheMiddleware: true };
const checksums = {
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
};

const VARIANTS: Variant[] = [
  { name: "ceiling-10", ...ceiling, entries: 10 },
  { name: "ceiling-1", ...ceiling, entries: 1 },
  { name: "ceiling-10-noattrs", ...ceiling, entries: 10, attributes: false },
  { name: "1client-provider-10", ...ceiling, credentials: "provider", entries: 10 },
  { name: "1000clients-static-10", ...ceiling, clients: 1000, entries: 10 },
  { name: "1client-sinkhandler-env-10", ...ceiling, handler: "sink", endpoint: "env", entries: 10 },
  { name: "sink-10", ...sink, entries: 10 },
  { name: "sink-1", ...sink, entries: 1 },
  { name: "sink-10-noattrs", ...sink, entries: 10, attributes: false },
  { name: "sink-10-checksums", ...sink, entries: 10, options: checksums },
  { name: "sink-10-cacheMiddleware", ...sink, entries: 10, options: cached },
  { name: "sink-1-cacheMiddleware", ...sink, entries: 1, options: cached },
  { name: "ceiling-10-cacheMiddleware", ...ceiling, entries: 10, options: cached },
  { name: "ceiling-1-cacheMiddleware", ...ceiling, entries: 1, options: cached },
  { name: "sink-10-reusedSigner", ...sink, entries: 10, signer: "reused" },
  { name: "sink-10-tuned", ...sink, entries: 10, options: cached, signer: "reused" },
  { name: "sink-1-tuned", ...sink, entries: 1, options: cached, signer: "reused" },
  {
    name: "sink-1-tuned-publish",
    ...sink,
    entries: 1,
    options: cached,
    signer: "reused",
    command: "Publish",
  },
  { name: "sink-10-fast", ...sink, entries: 10, options: cached, signer: "reused", fastProperties: true },
  { name: "sink-1-fast", ...sink, entries: 1, options: cached, signer: "reused", fastProperties: true },
];

const CONCURRENCY = 64;
const REGION = "us-east-1";

interface Measurement {
  variant: string;
  calls: number;
  cpuMsPerCall: number;
  cpuMsPerEvent: number;
  callsPerSecond: number;
  /** Calls/s if this process had one whole core: 1000 / cpuMsPerCall. */
  callsPerCpuSecond: number;
  heapMiB: number;
}

const arg = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};

// ---------------------------------------------------------------------------------------------------
// Child: one variant.

function makeEntries(variant: Variant, count: number): PublishBatchRequestEntry[][] {
  const mix = new EventMix(DOMAINS, 1000);
  return Array.from({ length: count }, () =>
    Array.from({ length: variant.entries }, (_, i) => {
      const e = mix.next();
      const event: DomainEvent = {
        id: crypto.randomUUID(),
        version: "1",
        timestamp: new Date(),
        source: "bench",
        ...e,
      };
      const { entry } = snsService.entry(outgoingMessage(event), String(i), {
        topicArn: "arn:aws:sns:us-east-1:123456789012:bench",
        roleArn: "arn:aws:iam::123456789012:role/bench",
      });
      if (!variant.attributes) delete entry.MessageAttributes;
      return entry;
    }),
  );
}

/** A V8 CPU profile of the measured calls only (not start-up, client creation or warm-up). */
async function profiled<T>(file: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!file) return run();
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post("Profiler.enable");
  await post("Profiler.start");
  const result = await run();
  const { profile } = (await post("Profiler.stop")) as { profile: unknown };
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  return result;
}

async function runVariant(
  variant: Variant,
  endpoint: string,
  calls: number,
  profileFile?: string,
): Promise<Measurement> {
  if (variant.endpoint === "env") process.env.AWS_ENDPOINT_URL_SNS = endpoint;
  const http =
    variant.handler === "sink"
      ? new NodeHttpHandler({
          httpsAgent: { keepAlive: true, maxSockets: CONCURRENCY },
          httpAgent: { keepAlive: true, maxSockets: CONCURRENCY },
          connectionTimeout: 3_000,
          requestTimeout: 10_000,
          throwOnRequestTimeout: true,
        })
      : new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: CONCURRENCY } });
  // The connector's credential path, its AssumeRole answered at once.
  const sts = {
    send: async () => ({
      Credentials: {
        AccessKeyId: `ASIA${Math.random().toString(36).slice(2, 14).toUpperCase()}`,
        SecretAccessKey: "bench-secret",
        SessionToken: "bench-session-token-".repeat(20),
        Expiration: new Date(Date.now() + 3600_000),
      },
    }),
  } as unknown as STSClient;
  const assumed = new AssumedRoleCredentials(sts);
  const clients = Array.from({ length: variant.clients }, (_, i) => {
    const credentials =
      variant.credentials === "static"
        ? async () => ({ accessKeyId: "bench", secretAccessKey: "bench" })
        : assumed.provider({
            roleArn: `arn:aws:iam::123456789012:role/bench-${i}`,
            projectId: `project-${i}`,
            sessionName: `eventstreams-es_${i}`,
          });
    const client: SNSClient = new SNSClient({
      region: REGION,
      ...(variant.endpoint === "option" ? { endpoint } : {}),
      credentials:
        variant.credentials === "static" ? { accessKeyId: "bench", secretAccessKey: "bench" } : credentials,
      requestHandler: http,
      maxAttempts: 2,
      ...(variant.signer === "reused"
        ? { signer: reusedSigner(credentials, REGION, () => client.config) }
        : {}),
      ...variant.options,
    });
    if (variant.fastProperties) withFastProperties(client.config);
    return client;
  });
  const warmup = Math.max(2 * variant.clients, 1000);
  const batches = makeEntries(variant, Math.min(calls, 2000));
  let n = 0;
  const send = () => {
    const i = n++;
    const client = clients[i % clients.length] as SNSClient;
    const entries = batches[i % batches.length] as PublishBatchRequestEntry[];
    if (variant.command === "Publish") {
      const { Message, MessageAttributes } = entries[0] as PublishBatchRequestEntry;
      return client.send(
        new PublishCommand({
          TopicArn: `arn:aws:sns:${REGION}:123456789012:bench-${i % 1000}`,
          Message,
          MessageAttributes,
        }),
      );
    }
    return client.send(
      new PublishBatchCommand({
        TopicArn: `arn:aws:sns:${REGION}:123456789012:bench-${i % 1000}`,
        PublishBatchRequestEntries: entries,
      }),
    );
  };
  const loop = async (count: number) => {
    const end = n + count;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (n < end) await send();
      }),
    );
  };
  await loop(warmup);
  global.gc?.();
  const cpu = process.cpuUsage();
  const t = performance.now();
  await profiled(profileFile, () => loop(calls));
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  for (const c of clients) c.destroy();
  http.destroy();
  const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    variant: variant.name,
    calls,
    cpuMsPerCall: round(cpuMs / calls),
    cpuMsPerEvent: round(cpuMs / calls / variant.entries, 4),
    callsPerSecond: Math.round(calls / (wall / 1000)),
    callsPerCpuSecond: Math.round(calls / (cpuMs / 1000)),
    heapMiB,
  };
}

// ---------------------------------------------------------------------------------------------------
// Parent: fake SNS, one child per variant and repetition, median per variant.

const root = findProjectRoot();

function child(variant: string, endpoint: string, calls: number, profileDir?: string) {
  const profile = profileDir
    ? ["--profile", path.join(profileDir, `sns-client-cost-${variant}.cpuprofile`)]
    : [];
  const proc = spawn(
    process.execPath,
    [
      "--expose-gc",
      "--import",
      "tsx",
      __filename,
      "--child",
      variant,
      "--endpoint",
      endpoint,
      "--calls",
      String(calls),
      ...profile,
    ],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise<Measurement>((resolve, reject) => {
    let result: Measurement | undefined;
    createInterface({ input: proc.stdout }).on("line", (line) => {
      if (line.startsWith("{")) result = JSON.parse(line) as Measurement;
    });
    proc.once("exit", (code) =>
      result ? resolve(result) : reject(new Error(`${variant}: child exited with ${code}`)),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main() {
  const childVariant = arg("child");
  const calls = Number(arg("calls") ?? 4000);
  if (childVariant) {
    const variant = VARIANTS.find((v) => v.name === childVariant);
    if (!variant) throw new Error(`no variant ${childVariant}`);
    const result = await runVariant(variant, arg("endpoint") as string, calls, arg("profile"));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const repeat = Number(arg("repeat") ?? 3);
  const only = arg("only")?.split(",");
  const chosen = only ? VARIANTS.filter((v) => only.includes(v.name)) : VARIANTS;
  const results = path.join(root, "bench", "results");
  const profileDir = process.argv.includes("--cpu-prof") ? path.join(results, "profile") : undefined;
  mkdirSync(profileDir ?? results, { recursive: true });
  const fake = await startFakeSns();
  // Repetitions go round the whole list (not one variant three times in a row), so a burst of load
  // from elsewhere on the machine spreads over variants instead of skewing one.
  const runs = new Map<string, Measurement[]>(chosen.map((v) => [v.name, []]));
  try {
    for (let r = 0; r < repeat; r++)
      for (const variant of chosen) {
        const m = await child(variant.name, fake.url, calls, profileDir);
        runs.get(variant.name)?.push(m);
        process.stderr.write(`run ${r + 1}/${repeat} ${variant.name}: ${m.cpuMsPerCall} ms CPU per call\n`);
      }
  } finally {
    fake.stop();
  }
  const rows = chosen.map((variant) => {
    const all = runs.get(variant.name) as Measurement[];
    const perCall = all.map((m) => m.cpuMsPerCall);
    const mid = all.find((m) => m.cpuMsPerCall === median(perCall)) as Measurement;
    return { ...mid, runs: perCall };
  });
  const header =
    "| variant | CPU ms/call (median) | runs | CPU ms/event | calls/s (wall) | calls per CPU-s | heap MiB |";
  const lines = [header, "| --- | --: | --- | --: | --: | --: | --: |"];
  for (const r of rows)
    lines.push(
      `| ${r.variant} | ${r.cpuMsPerCall} | ${r.runs.join(" / ")} | ${r.cpuMsPerEvent} | ${r.callsPerSecond} | ${r.callsPerCpuSecond} | ${r.heapMiB} |`,
    );
  process.stdout.write(`${lines.join("\n")}\n`);
  const file = path.join(results, `sns-client-cost-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { node: process.version, calls, repeat, concurrency: CONCURRENCY, variants: chosen, results: rows },
      null,
      2,
    ),
  );
  process.stderr.write(`wrote ${path.relative(root, file)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
