import type { IHeaders } from "kafkajs";

/**
 * Headers of records on the retry and dead-letter topics. The value of such a record is always the
 * original event bytes, unchanged, so nothing is lost in translation and any tool can decode it.
 *
 * A dead letter carries each field in a header of its own (below). A record on a retry step carries
 * two: `es-due-at` and `es-retry`, one JSON object with the rest (RetryHeader): kafkajs encodes and
 * decodes each header as an allocation of its own, and a failing destination's backlog is written
 * and read back once per step, so one header instead of twelve is most of the cost of that backlog.
 * Retry records written with one header per field (older connectors, redrive) are read as well.
 */
export const H = {
  streamId: "es-stream-id",
  projectId: "es-project-id",
  /** Failed attempts so far (the main connector's is 1). */
  attempt: "es-attempt",
  /** The ladder step (name, e.g. "30s") this record waits on. */
  tier: "es-tier",
  firstFailedAt: "es-first-failed-at",
  dueAt: "es-due-at",
  errorSink: "es-error-sink",
  errorCode: "es-error-code",
  errorMessage: "es-error-message",
  /** JSON array of every error so far: {at, attempt, sink, code, message}. */
  errorHistory: "es-error-history",
  reason: "es-reason",
  /** On a retry record: everything but the due time, as one JSON object (RetryHeader). */
  retry: "es-retry",
  /** On a parked record (a paused stream's retry): the index of the ladder step it left. */
  parkedFromTier: "es-parked-from-tier",
  /** On a redriven record: the dead letter it came from ("partition/offset"). */
  redriveOf: "es-redrive-of",
  sourceTopic: "es-source-topic",
  sourcePartition: "es-source-partition",
  sourceOffset: "es-source-offset",
} as const;

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : String(first);
}

/** The `es-retry` header of a record on a retry step (JSON). */
export interface RetryHeader {
  /** Format version: 1. */
  v: 1;
  streamId: string;
  projectId: string;
  /** Failed attempts so far. */
  attempt: number;
  /** The ladder step (name) this record waits on. */
  tier: string;
  firstFailedAt: string;
  /** The last error (also the history's last entry). */
  lastError: { sink: string; code: string; message: string };
  /** Every error so far: {at, attempt, sink, code, message}. */
  history: unknown[];
  /** Headers of the dead letter this may become, carried unchanged: source position, redrive origin. */
  carried: Record<string, string>;
}
