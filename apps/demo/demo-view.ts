import { DOMAINS } from "../../src/events/domain-event";
import type { DemoStats } from "./demo-stats";

export interface DemoContext {
  projectId: string;
  topicArn: string;
  queueUrl: string;
  streamId: string;
  envFile: string;
}

const ms = (v: number | undefined) => (v === undefined ? "-" : `${Math.round(v)} ms`);

/** The live screen: refreshed every second in a terminal, a line every few seconds otherwise. */
export function renderDemo(stats: DemoStats, context: DemoContext, elapsedMs: number): string {
  const row = (label: string, cells: (string | number)[]) =>
    label.padEnd(14) + cells.map((c) => String(c).padStart(13)).join("");
  const lines = [
    `Live event streams demo · ${Math.round(elapsedMs / 1000)} s · Ctrl-C to stop`,
    `project ${context.projectId} → stream ${context.streamId}`,
    `  SNS ${context.topicArn}`,
    `  SQS ${context.queueUrl}`,
    "",
    row("", ["produced/s", "delivered/s", "produced", "delivered"]),
    ...DOMAINS.map((d) =>
      row(d, [
        stats.perSecond.produced[d],
        stats.perSecond.delivered[d],
        stats.produced[d],
        stats.delivered[d],
      ]),
    ),
    row("total", [
      stats.total(stats.perSecond.produced),
      stats.total(stats.perSecond.delivered),
      stats.total(stats.produced),
      stats.total(stats.delivered),
    ]),
    "",
    `retryable failures ${stats.connector.retryable}   dead-lettered ${stats.connector.deadLettered}   consumer lag ${stats.connector.lag}   duplicates ${stats.duplicates}`,
    `end to end (publish → received from SQS): p50 ${ms(stats.latency(50))}   p99 ${ms(stats.latency(99))}`,
    "",
    "last events received from the queue:",
    ...stats.recent.map(
      (e) =>
        `  ${e.timestamp.slice(11, 23)}  ${e.name.padEnd(28)} ${e.id.slice(0, 8)}  ${JSON.stringify(e.eventAttributes).slice(0, 60)}`,
    ),
    "",
    "in a second terminal:",
    `  set -a; . ${context.envFile}; set +a`,
    "  npx eventstreams list event-streams --project $DEMO_PROJECT_ID",
    "  npx eventstreams pause event-stream $DEMO_STREAM_ID --project $DEMO_PROJECT_ID",
  ];
  return `${lines.join("\n")}\n`;
}

export function summaryLine(stats: DemoStats, elapsedMs: number): string {
  return (
    `${Math.round(elapsedMs / 1000)} s: produced ${stats.total(stats.produced)}, delivered ${stats.total(stats.delivered)}, ` +
    `duplicates ${stats.duplicates}, retryable ${stats.connector.retryable}, dead-lettered ${stats.connector.deadLettered}, ` +
    `lag ${stats.connector.lag}, p50 ${ms(stats.latency(50))}, p99 ${ms(stats.latency(99))}`
  );
}
