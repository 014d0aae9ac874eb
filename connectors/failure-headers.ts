import type { IHeaders } from "kafkajs";

/**
 * Headers of records on the retry and dead-letter topics. The value of such a record is always the
 * original event bytes, unchanged, so nothing is lost in translation and any tool can decode it.
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
