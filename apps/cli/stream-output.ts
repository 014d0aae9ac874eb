import { table } from "./commands/stack";

export type OutputFormat = "table" | "json";

export type StreamView = Record<string, unknown> & { id: string; type: string; status: string };

const OWN_FIELDS = new Set([
  "id",
  "project_id",
  "type",
  "status",
  "event_types",
  "rate_limit",
  "created_at",
  "updated_at",
  "revision",
  "paused_at",
  "paused_reason",
  "health",
  "summary",
  "backlog",
  "catch_up",
  "replay",
]);

interface SummaryView {
  last_hour: { delivered: number; failed: number; throttled?: number };
  last_day: { delivered: number; failed: number; throttled?: number };
  in_flight_limit?: number | null;
  latency_ms: { p50: number | null; p99: number | null };
  last_failure: { at: string; code: string | null; message: string | null } | null;
}

/** `1h 60 delivered, 0 failed · 24h … · p50 ≤5 ms, p99 ≤10 ms · last failure …`. */
function summaryOf(stream: StreamView): string {
  const s = stream.summary as SummaryView | null | undefined;
  if (!s) return "-";
  const parts = [
    `1h ${s.last_hour.delivered} delivered, ${s.last_hour.failed} failed`,
    `24h ${s.last_day.delivered} delivered, ${s.last_day.failed} failed`,
  ];
  if (s.last_hour.throttled) parts.push(`1h ${s.last_hour.throttled} throttled`);
  if (s.latency_ms.p50 !== null) parts.push(`p50 ≤${s.latency_ms.p50} ms, p99 ≤${s.latency_ms.p99} ms`);
  if (s.in_flight_limit) parts.push(`up to ${s.in_flight_limit} calls in flight`);
  if (s.last_failure) parts.push(`last failure ${s.last_failure.at} ${s.last_failure.code ?? ""}`.trimEnd());
  return parts.join(" · ");
}

interface BacklogView {
  from: Record<string, { offset: string }>;
  to?: Record<string, { offset: string }>;
  in_order?: boolean;
  waiting?: { events: number; oldest_event_at: string | null; oldest_expires_at: string | null };
}

/** A paused stream's `42 events waiting · oldest … · expires …`, or a resumed one's catch-up range. */
function backlogOf(stream: StreamView): string {
  const b = stream.backlog as BacklogView;
  if (b.waiting) {
    const parts = [`${b.waiting.events} events waiting`];
    if (b.waiting.oldest_event_at) parts.push(`oldest ${b.waiting.oldest_event_at}`);
    if (b.waiting.oldest_expires_at) parts.push(`expires ${b.waiting.oldest_expires_at}`);
    return parts.join(" · ");
  }
  const topics = Object.entries(b.to ?? b.from).map(([topic, to]) =>
    b.to ? `${topic} ${b.from[topic]?.offset ?? 0}..${to.offset}` : `${topic} from ${to.offset}`,
  );
  return [...topics, ...(b.in_order ? ["in order"] : [])].join(" · ");
}

/** Per topic `identities 120/310 (delivered 95)`, `done` when it is. */
function catchUpOf(stream: StreamView): string {
  const topics = stream.catch_up as Record<
    string,
    { next: string; to: string; delivered: number; done: boolean }
  >;
  return Object.entries(topics)
    .map(([topic, p]) => `${topic} ${p.done ? "done" : `${p.next}/${p.to}`} (delivered ${p.delivered})`)
    .join(" · ");
}

/** `<id> since … until … (cancelled …)`. */
function replayOf(stream: StreamView): string {
  const r = stream.replay as { id: string; since: string; until: string | null; cancelledAt: string | null };
  return `${r.id} since ${r.since}${r.until ? ` until ${r.until}` : ""}${r.cancelledAt ? ` (cancelled ${r.cancelledAt})` : ""}`;
}

const FIELD_FORMATS: Record<string, (stream: StreamView) => string> = {
  health: healthOf,
  summary: summaryOf,
  backlog: backlogOf,
  catch_up: catchUpOf,
  replay: replayOf,
};

/** `healthy`, or `circuit-open since … (AccessDenied: …)`: what an operator needs on one line. */
function healthOf(stream: StreamView): string {
  const health = stream.health as
    | { status: string; since?: string; lastError?: { code: string; message: string } }
    | undefined;
  if (!health) return "unknown";
  if (!health.lastError) return health.status;
  return `${health.status} since ${health.since} (${health.lastError.code}: ${health.lastError.message})`;
}

/** The destination settings of a stream view: whatever fields are not the stream's own. */
function destination(stream: StreamView): string {
  return Object.entries(stream)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ");
}

const eventTypes = (stream: StreamView) => {
  const list = stream.event_types as string[] | undefined;
  return list && list.length > 0 ? list.join(",") : "(all)";
};

export function formatStreams(streams: StreamView[], format: OutputFormat): string {
  if (format === "json") return `${JSON.stringify(streams, null, 2)}\n`;
  if (streams.length === 0) return "no event streams\n";
  return table(
    ["ID", "TYPE", "STATUS", "HEALTH", "EVENT TYPES", "DESTINATION", "REVISION"],
    streams.map((s) => [
      s.id,
      s.type,
      s.status,
      healthOf(s),
      eventTypes(s),
      destination(s),
      String(s.revision),
    ]),
  );
}

export function formatStream(stream: StreamView, format: OutputFormat): string {
  if (format === "json") return `${JSON.stringify(stream, null, 2)}\n`;
  const rows = Object.entries(stream).map(([key, value]) => [
    key.toUpperCase(),
    FIELD_FORMATS[key] && value
      ? (FIELD_FORMATS[key] as (s: StreamView) => string)(stream)
      : Array.isArray(value)
        ? value.length
          ? value.join(",")
          : "(all)"
        : value === null
          ? "-"
          : String(value),
  ]);
  return table(["FIELD", "VALUE"], rows);
}
