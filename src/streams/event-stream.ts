import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
export type StreamStatus = "active" | "paused";

export const STREAM_STATUSES: readonly StreamStatus[] = ["active", "paused"];

/** The highest per-stream rate limit, in events a second. */
export const MAX_RATE_LIMIT = 100_000;

/** One customer destination, as stored (JSON) in the compacted config topic under its id. */
export interface EventStream {
  id: string;
  projectId: string;
  /** A sink type from the SinkRegistry ("sns" now; "https" etc. later). */
  type: string;
  /** Destination settings in the sink's own camelCase names, validated by SinkRegistry.validateConfig. */
  config: Record<string, unknown>;
  status: StreamStatus;
  /** Empty means all events. */
  eventTypes: string[];
  /**
   * Events a second the stream's destination gets at most (MAX_RATE_LIMIT), from every path:
   * live, retries, catch-ups and replays. None: as fast as the destination takes them.
   */
  rateLimit?: number;
  createdAt: string;
  updatedAt: string;
  /** Monotonically increasing per stream: what If-Match compares against. */
  revision: number;
  pausedAt: string | null;
  pausedReason: string | null;
  /** Where a pause left the stream's events, and (once resumed) what the catch-up delivers. */
  backlog?: Backlog;
  /** The stream's latest replay (one at a time). */
  replay?: Replay;
  /** The ids of the last writes applied to it: a write applied again (after a crash) is recognized. */
  lastWrites?: string[];
}

/**
 * A re-delivery of the stream's events (its project, its filter) with event times in
 * [since, until), read from the domain topics between offsets found with the broker's time index.
 */
export interface Replay {
  id: string;
  since: string;
  until: string | null;
  from: TopicOffsets;
  to: TopicOffsets;
  /** Events a second, at most. */
  rate: number;
  requestedAt: string;
  cancelledAt: string | null;
}

/** Offsets by domain topic, in the project's partition of each (records are keyed by project). */
export type TopicOffsets = Record<string, { partition: number; offset: string }>;

/**
 * A paused stream's events stay in the domain topics; this says which. `from`: per domain topic,
 * the first offset not surely handled for the stream when it was paused (the connector group's
 * committed offset then). `to`, set on resume: the end offsets then. The live path delivers the
 * stream's records from `to` on; the catch-up delivers [from, to) (connectors/catch-up/).
 */
export interface Backlog {
  from: TopicOffsets;
  to?: TopicOffsets;
  /** The revision that resumed the stream: its catch-up's job (later edits do not restart it). */
  resumedRevision?: number;
  /**
   * The destination keeps order (a FIFO topic or queue), decided at resume: the catch-up then
   * reads on past `to` until it meets the live path, which holds the stream's records from the
   * hand-over offset on until the catch-up has delivered everything before it.
   */
  inOrder?: boolean;
}

/**
 * Reads one record value of the config topic. A value this version cannot understand is reported,
 * not guessed at: a registry must never deliver to a destination it misread.
 */
export function parseEventStream(value: Buffer | string): EventStream {
  const parsed = JSON.parse(value.toString()) as Partial<EventStream>;
  if (
    typeof parsed.id !== "string" ||
    typeof parsed.projectId !== "string" ||
    typeof parsed.type !== "string" ||
    typeof parsed.config !== "object" ||
    parsed.config === null ||
    (parsed.status !== "active" && parsed.status !== "paused") ||
    !Array.isArray(parsed.eventTypes) ||
    typeof parsed.revision !== "number"
  ) {
    throw new Error("not an event stream record");
  }
  return {
    id: parsed.id,
    projectId: parsed.projectId.toLowerCase(),
    type: parsed.type,
    config: parsed.config,
    status: parsed.status,
    eventTypes: parsed.eventTypes,
    ...(typeof parsed.rateLimit === "number" ? { rateLimit: parsed.rateLimit } : {}),
    createdAt: String(parsed.createdAt),
    updatedAt: String(parsed.updatedAt),
    revision: parsed.revision,
    pausedAt: parsed.pausedAt ?? null,
    pausedReason: parsed.pausedReason ?? null,
    ...(parsed.backlog ? { backlog: parsed.backlog } : {}),
    ...(parsed.replay ? { replay: parsed.replay } : {}),
    ...(Array.isArray(parsed.lastWrites) ? { lastWrites: parsed.lastWrites.map(String) } : {}),
  };
}

/**
 * Whether a stream's change leaves its old destination behind (deleted, or another type or
 * configuration): what processes keep for the old one (clients, credentials, circuits) should go.
 */
export function destinationChanged(previous: EventStream, stream: EventStream | undefined): boolean {
  return !stream || stream.type !== previous.type || !isDeepStrictEqual(stream.config, previous.config);
}

export function serializeEventStream(stream: EventStream): string {
  return JSON.stringify(stream);
}

export interface NewStreamInput {
  projectId: string;
  type: string;
  config: Record<string, unknown>;
  status?: StreamStatus;
  eventTypes?: string[];
  rateLimit?: number;
}

/** A stream as it is first stored: a fresh id, revision 1, paused at creation if asked. */
export function newEventStream(input: NewStreamInput, now: Date = new Date()): EventStream {
  const at = now.toISOString();
  const paused = input.status === "paused";
  return {
    id: randomUUID(),
    projectId: input.projectId.toLowerCase(),
    type: input.type,
    config: input.config,
    status: paused ? "paused" : "active",
    eventTypes: input.eventTypes ?? [],
    ...(input.rateLimit !== undefined ? { rateLimit: input.rateLimit } : {}),
    createdAt: at,
    updatedAt: at,
    revision: 1,
    pausedAt: paused ? at : null,
    pausedReason: paused ? "created paused" : null,
  };
}
