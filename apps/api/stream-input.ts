import type { StreamStatus } from "../../src/streams/event-stream";
import { invalid } from "./api-error";
import { toCamel } from "./fields";

/** A create or patch body, split into stream fields and the sink's destination settings. */
export interface StreamInput {
  type?: string;
  status?: StreamStatus;
  eventTypes?: string[];
  /** Events a second at most; null removes the limit. */
  rateLimit?: number | null;
  /** Only the settings sent, in the sink's camelCase names. */
  config: Record<string, unknown>;
}

const READ_ONLY = new Set([
  "id",
  "project_id",
  "created_at",
  "updated_at",
  "revision",
  "paused_at",
  "paused_reason",
]);

/** Called after schema validation, so the stream fields already have the right types. */
export function parseStreamInput(body: Record<string, unknown>): StreamInput {
  const input: StreamInput = { config: {} };
  for (const [key, value] of Object.entries(body)) {
    if (key === "type") input.type = value as string;
    else if (key === "status") input.status = value as StreamStatus;
    else if (key === "event_types") input.eventTypes = value as string[];
    else if (key === "rate_limit") input.rateLimit = value as number | null;
    else if (READ_ONLY.has(key)) throw invalid(key, "is read-only");
    else input.config[toCamel(key)] = value;
  }
  return input;
}

/** If-Match: `"3"`, `W/"3"` or `3`; `*` or no header means no precondition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) throw invalid("if-match", 'must be the revision as an ETag, e.g. "3"');
  return Number(match[1]);
}
