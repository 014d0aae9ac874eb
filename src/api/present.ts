import type { EventStream } from "../streams/event-stream";
import { snakeKeys } from "./fields";

/**
 * The API's view of a stream: snake_case, with the destination settings at the top level as in
 * the reference API (`topic_arn`, `role_arn`), then our own fields.
 */
export function presentStream(stream: EventStream): Record<string, unknown> {
  return {
    id: stream.id,
    project_id: stream.projectId,
    type: stream.type,
    ...snakeKeys(stream.config),
    status: stream.status,
    event_types: stream.eventTypes,
    created_at: stream.createdAt,
    updated_at: stream.updatedAt,
    revision: stream.revision,
    paused_at: stream.pausedAt,
    paused_reason: stream.pausedReason,
  };
}

/** ETag / If-Match carry the revision: `"3"`. */
export function etagOf(stream: EventStream): string {
  return `"${stream.revision}"`;
}
