import type { Backlog, EventStream } from "../../src/streams/event-stream";
import { snakeKeys } from "./fields";

/**
 * The API's view of a stream: snake_case, with the destination settings at the top level as in
 * the reference API (`topic_arn`, `role_arn`), then our own fields.
 */
export function presentStream(
  stream: EventStream,
  options: {
    secretFields?: readonly string[];
    revealSecrets?: boolean;
    /** A paused stream's backlog so far (EventStreamService.waitingOf). */
    waiting?: object;
  } = {},
): Record<string, unknown> {
  let config = { ...stream.config };
  // Secrets are shown once, in the answer to the call that made them; every read masks them.
  if (!options.revealSecrets) for (const path of options.secretFields ?? []) config = masked(config, path);
  return {
    id: stream.id,
    project_id: stream.projectId,
    type: stream.type,
    ...snakeKeys(config),
    status: stream.status,
    event_types: stream.eventTypes,
    rate_limit: stream.rateLimit ?? null,
    created_at: stream.createdAt,
    updated_at: stream.updatedAt,
    revision: stream.revision,
    paused_at: stream.pausedAt,
    paused_reason: stream.pausedReason,
    ...(stream.backlog ? { backlog: presentBacklog(stream.backlog, options.waiting) } : {}),
    ...(stream.replay ? { replay: stream.replay } : {}),
  };
}

function presentBacklog(backlog: Backlog, waiting?: object): Record<string, unknown> {
  return {
    from: backlog.from,
    ...(waiting ? { waiting } : {}),
    ...(backlog.to ? { to: backlog.to } : {}),
    ...(backlog.resumedRevision !== undefined ? { resumed_revision: backlog.resumedRevision } : {}),
    ...(backlog.to ? { in_order: backlog.inOrder === true } : {}),
  };
}

export const MASK = "********";

/** The config with the value at a (dotted) path masked, if there is one; nested objects copied. */
function masked(config: Record<string, unknown>, path: string): Record<string, unknown> {
  const [head, ...rest] = path.split(".") as [string, ...string[]];
  const value = config[head];
  if (value === undefined) return config;
  if (rest.length === 0) return { ...config, [head]: MASK };
  if (typeof value !== "object" || value === null) return config;
  return { ...config, [head]: masked(value as Record<string, unknown>, rest.join(".")) };
}

/** ETag / If-Match carry the revision: `"3"`. */
export function etagOf(stream: EventStream): string {
  return `"${stream.revision}"`;
}
