/**
 * The deliveries log: one record per delivery attempt worth showing a customer (every failure, a
 * sample of successes), in a topic of its own keyed by stream id, kept a few days. The connector
 * writes it; any API instance reads a stream's recent attempts from it, newest first.
 */
export interface DeliveryLogEntry {
  streamId: string;
  projectId: string;
  /** When the attempt ended (ISO 8601). */
  at: string;
  eventId: string;
  eventName: string;
  /** 1 for the main path's attempt, then one more per retry. */
  attempt: number;
  outcome: "delivered" | "retryable" | "permanent";
  /** The destination's code (HTTP503, Throttled...), null when delivered. */
  code: string | null;
  /** What the destination answered, cut to MAX_MESSAGE_LENGTH; never a secret (sinks redact). */
  message: string | null;
  latencyMs: number;
  /** Where the delivery went next: `done`, `retry <tier>` or `dead-letter`. */
  next: string;
}

export const DELIVERY_LOG_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;
const MAX_MESSAGE_LENGTH = 500;

export function serializeDeliveryLogEntry(entry: DeliveryLogEntry): string {
  const message =
    entry.message && entry.message.length > MAX_MESSAGE_LENGTH
      ? `${entry.message.slice(0, MAX_MESSAGE_LENGTH)}…`
      : entry.message;
  return JSON.stringify({ ...entry, message });
}

/** Undefined for a record this version cannot read (a reader skips it, never guesses). */
export function parseDeliveryLogEntry(value: Buffer | string): DeliveryLogEntry | undefined {
  try {
    const e = JSON.parse(value.toString()) as Partial<DeliveryLogEntry>;
    if (
      typeof e.streamId !== "string" ||
      typeof e.at !== "string" ||
      typeof e.eventId !== "string" ||
      typeof e.attempt !== "number" ||
      (e.outcome !== "delivered" && e.outcome !== "retryable" && e.outcome !== "permanent") ||
      typeof e.next !== "string"
    ) {
      return undefined;
    }
    return {
      streamId: e.streamId,
      projectId: String(e.projectId),
      at: e.at,
      eventId: e.eventId,
      eventName: String(e.eventName),
      attempt: e.attempt,
      outcome: e.outcome,
      code: e.code ?? null,
      message: e.message ?? null,
      latencyMs: Number(e.latencyMs ?? 0),
      next: e.next,
    };
  } catch {
    return undefined;
  }
}
