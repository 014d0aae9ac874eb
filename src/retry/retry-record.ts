import type { KafkaMessage } from "kafkajs";
import { H, headerString, type RetryHeader } from "./failure-headers";
import type { ErrorEntry, RetryState, SourceRecord } from "./failure-record";

/** One (event, stream) delivery read back from a retry tier. */
export interface RetryRecord {
  message: KafkaMessage;
  streamId: string;
  projectId: string;
  dueAt: number;
  source: SourceRecord;
  state: RetryState;
}

const CARRIED = [H.sourceTopic, H.sourcePartition, H.sourceOffset, H.redriveOf];

/**
 * Reads the headers the FailedDeliveryWriter wrote: the `es-retry` JSON header, or one header per
 * field (older connectors, redriven dead letters). What is missing is filled in, never guessed wrong.
 */
export function readRetryRecord(message: KafkaMessage, tierIndex: number): RetryRecord {
  const compact = parseRetryHeader(headerString(message.headers, H.retry));
  return compact ? fromRetryHeader(message, tierIndex, compact) : fromHeaders(message, tierIndex);
}

function fromRetryHeader(message: KafkaMessage, tierIndex: number, r: Partial<RetryHeader>): RetryRecord {
  const carried: Record<string, string> = {};
  if (r.carried && typeof r.carried === "object") {
    for (const [name, value] of Object.entries(r.carried))
      if (typeof value === "string") carried[name] = value;
  }
  return {
    message,
    streamId: (typeof r.streamId === "string" ? r.streamId : undefined) ?? message.key?.toString() ?? "",
    projectId: typeof r.projectId === "string" ? r.projectId.toLowerCase() : "",
    dueAt: dueAtOf(message),
    source: {
      topic: carried[H.sourceTopic] ?? "",
      partition: Number(carried[H.sourcePartition] ?? -1),
      offset: carried[H.sourceOffset] ?? "-1",
      value: message.value ?? Buffer.alloc(0),
    },
    state: {
      attempt: typeof r.attempt === "number" ? r.attempt : 0,
      tierIndex,
      firstFailedAt:
        typeof r.firstFailedAt === "string"
          ? r.firstFailedAt
          : new Date(Number(message.timestamp)).toISOString(),
      history: Array.isArray(r.history) ? (r.history as ErrorEntry[]) : [],
      carried,
    },
  };
}

function fromHeaders(message: KafkaMessage, tierIndex: number): RetryRecord {
  const h = message.headers;
  const get = (name: string) => headerString(h, name);
  const carried: Record<string, string> = {};
  for (const name of CARRIED) {
    const value = get(name);
    if (value !== undefined) carried[name] = value;
  }
  return {
    message,
    streamId: get(H.streamId) ?? message.key?.toString() ?? "",
    projectId: (get(H.projectId) ?? "").toLowerCase(),
    dueAt: dueAtOf(message),
    source: {
      topic: get(H.sourceTopic) ?? "",
      partition: Number(get(H.sourcePartition) ?? -1),
      offset: get(H.sourceOffset) ?? "-1",
      value: message.value ?? Buffer.alloc(0),
    },
    state: {
      attempt: Number(get(H.attempt) ?? 0),
      tierIndex,
      firstFailedAt: get(H.firstFailedAt) ?? new Date(Number(message.timestamp)).toISOString(),
      history: parseHistory(get(H.errorHistory)),
      carried,
    },
  };
}

/** The `es-retry` header as an object, or undefined when absent or not a JSON object. */
function parseRetryHeader(raw: string | undefined): Partial<RetryHeader> | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Partial<RetryHeader>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function parseHistory(raw: string | undefined): ErrorEntry[] {
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? (parsed as ErrorEntry[]) : [];
  } catch {
    return [];
  }
}

/** A record without a readable due time is due now: late is safe, lost is not. */
export function dueAtOf(message: KafkaMessage): number {
  const due = Date.parse(headerString(message.headers, H.dueAt) ?? "");
  return Number.isNaN(due) ? 0 : due;
}
