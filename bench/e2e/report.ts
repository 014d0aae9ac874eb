/** The benchmark's result as rows: a terminal table and a markdown table with the same figures. */
import type { NetworkRow } from "./network";

interface Result {
  at: string;
  events: number;
  transport: string;
  transports: {
    runs: {
      transport: string;
      label: string;
      connector: { eventsPerSecond: number; cpuSecondsPer1000: number; peakRssMiB: number };
      latency: { rate: number; instances: number; p50Ms: number; p99Ms: number; connectorCores: number }[];
    }[];
    leanOverSdk?: LeanOverSdk;
    leanOverSdkThreads?: LeanOverSdk;
  };
  connector: {
    eventsPerSecond: number;
    cpuSecondsPer1000: number;
    peakRssMiB: number;
    seconds: number;
    warmUpSeconds: number;
    overall: { eventsPerSecond: number; seconds: number };
  };
  latency: {
    rate: number;
    instances: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    published: number;
    received: number;
    eventsPerCall: number;
    connectorCores: number;
  }[];
  ceilings: {
    kafka: { eventsPerSecond: number };
    snsClient: { eventsPerSecond: number };
    snsLean: { eventsPerSecond: number };
    snsClientThreads?: { eventsPerSecond: number; threads: number };
    snsLeanThreads?: { eventsPerSecond: number; threads: number };
    naive: { eventsPerSecond: number; events: number };
  };
  ratios: {
    ofSnsCeiling: number;
    overallOfSnsCeiling: number;
    ofSnsCeilingThreads?: number;
    ofNaive: number;
    ofKafkaCeiling: number;
  };
  profile?: { totalMs: number; threads: number; top: { owner: string; ms: number; share: number }[] };
}

function transportRows(r: Result): [string, string, string][] {
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  const out: [string, string, string][] = r.transports.runs.flatMap((run): [string, string, string][] => [
    [
      `${run.label} transport: backlog`,
      `${run.connector.eventsPerSecond} events/s`,
      `${run.connector.cpuSecondsPer1000} CPU s / 1,000; peak RSS ${run.connector.peakRssMiB} MiB (target 400: ${met(run.connector.peakRssMiB <= 400)})`,
    ],
    ...run.latency.map((l): [string, string, string] => [
      `${run.label} transport: ${l.rate}/s, ${l.instances} connector${l.instances > 1 ? "s" : ""}`,
      `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms`,
      `${l.connectorCores} cores${l.instances === 1 ? ` (target 0.30: ${met(l.connectorCores <= 0.3)}); p99 target < 50: ${met(l.p99Ms < 50)}` : ""}`,
    ]),
  ]);
  for (const ratio of [r.transports.leanOverSdk, r.transports.leanOverSdkThreads])
    if (ratio)
      out.push([
        `lean / ${ratio.sdk}`,
        `${ratio.throughput}x throughput`,
        `target 2x: ${met(ratio.throughput >= 2)}; CPU per event ${ratio.cpuPer1000}x, cores at the rate ${ratio.coresAtRate ?? "-"}x, peak RSS ${ratio.peakRss}x`,
      ]);
  return out;
}

interface LeanOverSdk {
  sdk: string;
  throughput: number;
  cpuPer1000: number;
  coresAtRate?: number;
  peakRss: number;
}

function rows(r: Result): [string, string, string][] {
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  return [
    ...transportRows(r),
    [
      `connector (${r.transport}), sustained`,
      `${r.connector.eventsPerSecond} events/s`,
      `over ${r.connector.seconds} s, after every stream's first delivery`,
    ],
    [
      "connector, overall",
      `${r.connector.overall.eventsPerSecond} events/s`,
      `${r.events} events in ${r.connector.overall.seconds} s, ${r.connector.warmUpSeconds} s of it STS warm-up; ${r.ratios.overallOfSnsCeiling}x the SNS-client ceiling`,
    ],
    ["connector CPU, sustained", `${r.connector.cpuSecondsPer1000} CPU s / 1,000 events`, ""],
    ["connector peak RSS", `${r.connector.peakRssMiB} MiB`, "VmHWM"],
    [
      "Kafka ceiling (fetch + decode)",
      `${r.ceilings.kafka.eventsPerSecond} events/s`,
      `connector = ${r.ratios.ofKafkaCeiling}x`,
    ],
    ["SNS-client ceiling (SDK PublishBatch)", `${r.ceilings.snsClient.eventsPerSecond} events/s`, ""],
    [
      "SNS-client ceiling (lean PublishBatch)",
      `${r.ceilings.snsLean.eventsPerSecond} events/s`,
      `connector (${r.transport}) = ${r.ratios.ofSnsCeiling}x its transport's ceiling (target 0.7: ${met(r.ratios.ofSnsCeiling >= 0.7)})`,
    ],
    ...(r.ceilings.snsClientThreads && r.ceilings.snsLeanThreads
      ? [
          [
            `SNS-client ceiling, ${r.ceilings.snsClientThreads.threads} threads (SDK / lean)`,
            `${r.ceilings.snsClientThreads.eventsPerSecond} / ${r.ceilings.snsLeanThreads.eventsPerSecond} events/s`,
            `connector = ${r.ratios.ofSnsCeilingThreads}x its transport's (as many threads as its delivery threads)`,
          ] as [string, string, string],
        ]
      : []),
    [
      "naive baseline (Publish + commit)",
      `${r.ceilings.naive.eventsPerSecond} events/s`,
      `connector = ${r.ratios.ofNaive}x (target 5: ${met(r.ratios.ofNaive >= 5)})`,
    ],
    ...r.latency.flatMap((l): [string, string, string][] => {
      const at = `at ${l.rate}/s, ${l.instances} connector${l.instances > 1 ? "s" : ""}`;
      return [
        [`latency ${at}: p50`, `${l.p50Ms} ms`, `${l.received}/${l.published} received`],
        [`latency ${at}: p99`, `${l.p99Ms} ms`, `target < 50: ${met(l.p99Ms < 50)}`],
        [`latency ${at}: max`, `${l.maxMs} ms`, ""],
        [
          `latency ${at}: load`,
          `${l.eventsPerCall} events per call`,
          `${l.connectorCores} cores used by the connector${l.instances > 1 ? "s" : ""}`,
        ],
      ];
    }),
  ];
}

export function table(r: Result): string {
  const all = rows(r);
  const w = [0, 1].map((c) => Math.max(...all.map((row) => row[c]?.length ?? 0)));
  const lines = all.map(([a, b, c]) => `${a.padEnd(w[0] as number)}  ${b.padEnd(w[1] as number)}  ${c}`);
  const prof = (r.profile?.top ?? []).map((p) => `  ${(p.share * 100).toFixed(1).padStart(5)}%  ${p.owner}`);
  return [
    ...lines,
    "",
    `connector CPU profile, self time by owner (${r.profile?.totalMs ?? 0} ms over ${r.profile?.threads ?? 0} threads):`,
    ...prof,
  ].join("\n");
}

export function markdown(r: Result): string {
  const body = rows(r).map(([a, b, c]) => `| ${a} | ${b} | ${c} |`);
  const prof = (r.profile?.top ?? []).map(
    (p) => `| ${p.owner} | ${p.ms} ms | ${(p.share * 100).toFixed(1)}% |`,
  );
  return [
    `End-to-end benchmark, ${r.at}`,
    "",
    "| measure | value | note |",
    "|---|---|---|",
    ...body,
    "",
    `| profile owner (${r.profile?.threads ?? 0} threads) | self time | share |`,
    "|---|---|---|",
    ...prof,
    "",
  ].join("\n");
}

/** The network rows as a markdown table: every figure with the delay it was measured at. */
export function networkTable(rows: readonly NetworkRow[]): string {
  const lines = [
    "| row | destination round trip | events | events/s | calls in flight (median / max) | target |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.row} | ${r.delay} | ${r.events} | ${r.eventsPerSecond} | ${r.inFlight.median} / ${r.inFlight.max} | ${r.target ?? ""} |`,
    ),
  ];
  return lines.join("\n");
}
