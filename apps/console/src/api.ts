import type { Session } from "./session";

/** An error answer of the API: its code, message and the field at fault, shown as such. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A call to the event streams API (same origin) as the signed-in token, through a bearer header. */
export async function api<T>(session: Session, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${session.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const answer = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; field?: string | null; hint?: string };
  };
  if (!response.ok) {
    const error = answer.error ?? {};
    const message =
      response.status === 401
        ? "That token was not accepted: check it and sign in again."
        : response.status === 403
          ? "That token may not manage this project: sign in with the project's token or an admin token."
          : (error.message ?? `the API answered ${response.status}`);
    throw new ApiFailure(response.status, error.code ?? "error", message, error.field ?? null, error.hint);
  }
  return answer as T;
}

export const streamsPath = (session: Session) =>
  `/projects/${encodeURIComponent(session.projectId)}/eventstreams`;
export const streamPath = (session: Session, id: string) =>
  `${streamsPath(session)}/${encodeURIComponent(id)}`;

/** A paused stream's events kept for it, as the connectors counted them. */
export interface Waiting {
  events: number;
  oldest_event_at: string | null;
  oldest_expires_at: string | null;
}

/** What the API shows of a stream: its own fields, and its destination settings beside them. */
export interface StreamView {
  id: string;
  type: string;
  status: "active" | "paused";
  event_types: string[];
  revision: number;
  created_at: string;
  paused_at?: string | null;
  paused_reason?: string | null;
  health?: Record<string, unknown> | null;
  summary?: Record<string, unknown> | null;
  backlog?: { waiting?: Waiting | null; in_order?: boolean } | null;
  catch_up?: Record<string, { next: string; to: string; delivered: number; done: boolean }>;
  replay?: { id: string; cancelledAt?: string | null } | null;
  [setting: string]: unknown;
}

/** The fields of a stream view that are the stream's own, not its destination's. */
export const OWN_FIELDS = new Set([
  "id",
  "project_id",
  "type",
  "status",
  "event_types",
  "rate_limit",
  "revision",
  "created_at",
  "updated_at",
  "paused_at",
  "paused_reason",
  "health",
  "summary",
  "backlog",
  "catch_up",
  "replay",
  "last_writes",
  "warnings",
]);
