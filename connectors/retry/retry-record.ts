import type { IHeaders, KafkaMessage } from "kafkajs";
import type { ErrorEntry, RetryState, SourceRecord } from "../failed-deliveries";
import { H, headerString } from "../failure-headers";

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

/** Reads the headers the FailedDeliveryWriter wrote; what is missing is filled in, never guessed wrong. */
export function readRetryRecord(message: KafkaMessage, tierIndex: number): RetryRecord {
  const h = message.headers;
  const get = (name: string) => headerString(h, name);
  const carried: IHeaders = {};
  for (const name of CARRIED) {
    const value = get(name);
    if (value !== undefined) carried[name] = value;
  }
  const due = Date.parse(get(H.dueAt) ?? "");
  return {
    message,
    streamId: get(H.streamId) ?? message.key?.toString() ?? "",
    projectId: get(H.projectId) ?? "",
    // A record without a readable due time is due now: late is safe, lost is not.
    dueAt: Number.isNaN(due) ? 0 : due,
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

export function parseHistory(raw: string | undefined): ErrorEntry[] {
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? (parsed as ErrorEntry[]) : [];
  } catch {
    return [];
  }
}

export function dueAtOf(message: KafkaMessage): number {
  const due = Date.parse(headerString(message.headers, H.dueAt) ?? "");
  return Number.isNaN(due) ? 0 : due;
}
