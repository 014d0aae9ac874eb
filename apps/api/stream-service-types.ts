import type { DeliveryResult, SinkContext, SinkRegistry, VerifyWarning } from "../../connectors/sinks";
import type { StreamSecrets } from "../../src/secrets/stream-secrets";
import type { EventStream, Replay, TopicOffsets } from "../../src/streams/event-stream";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import type { StreamStore } from "../../src/streams/stream-store";
import type { WriteBody, WriteOutcome } from "./writes/write-request";

export interface EventStreamServiceOptions {
  registry: StreamRegistry;
  store: StreamStore;
  sinks: SinkRegistry;
  sinkContext: SinkContext;
  maxStreamsPerProject: number;
  verifyTimeoutMs?: number;
  now?: () => Date;
  /**
   * A project's positions in the domain topics: the connector group's committed offsets (a pause
   * keeps the events from there) or the ends (a resume catches up to there). Without it, a pause
   * keeps no backlog.
   */
  positions?: (projectId: string, at: "end" | { time: number }) => Promise<TopicOffsets>;
  /**
   * Where a pause keeps the stream's events from (`committed`) and a resume catches up to
   * (`end`): the domain topics and the parked topic (see backlogPositions).
   */
  backlogPositions?: (projectId: string, at: "committed" | "end") => Promise<TopicOffsets>;
  /** How long a domain topic keeps its records (ms; undefined: not known). */
  retentionOf?: (topic: string) => number | undefined;
  /** When the oldest event a replay could still read was written (see oldestKeptTime). */
  oldestKept?: (projectId: string) => Promise<number | undefined>;
  /** Seals secret settings before they are stored, opens them to verify, sign and test. */
  secrets: StreamSecrets;
  /** Where writes are applied one after the other per project, across instances (StreamWrites). */
  writes?: { submit(body: WriteBody): Promise<Applied> };
}

/** What an applied write answers (see WriteOutcome). */
export type Applied = Omit<Extract<WriteOutcome, { ok: true }>, "kind" | "id">;

/** A paused stream's backlog so far (see EventStreamService.waitingOf). */
export interface BacklogWaiting {
  events: number;
  oldest_event_at: string | null;
  oldest_expires_at: string | null;
}

export interface ReplayRequest {
  /** The caller's id for the replay: asking again with it returns the same replay. */
  id?: string;
  since: number;
  until?: number;
  rate: number;
}

/** A replay and how far it got. */
export interface ReplayView {
  replay: Replay;
  found: number;
  delivered: number;
  failed: number;
  done: boolean;
  /** How much of the window's records it has read, from 0 to 1 (by offsets: the events are not counted ahead). */
  progress: number;
}

/** What the destination answered to a test event. */
export interface TestEventResult {
  eventId: string;
  name: string;
  outcome: DeliveryResult["outcome"] | "timeout";
  code: string | null;
  message: string | null;
  latencyMs: number;
}

/** A written stream, with what its destination's verification warned about (not stored). */
export type StreamAnswer = EventStream & { warnings?: VerifyWarning[] };

export interface WriteOptions {
  verify: boolean;
  ifMatch?: number;
}
