import type { FastifyInstance } from "fastify";
import { invalid } from "./api-error";
import type { EventStreamService, ReplayView } from "./event-stream-service";
import { streamParams } from "./schemas";

interface StreamRoute {
  Params: { projectId: string; id: string };
}
interface ReplayRoute {
  Params: { projectId: string; id: string; replayId: string };
}
interface ReplayBody {
  Body: { id?: string; since: string; until?: string; rate?: number };
}

const base = "/projects/:projectId/eventstreams/:id/replays";
const DEFAULT_RATE = 500;
const replayParams = {
  ...streamParams,
  properties: { ...streamParams.properties, replayId: { type: "string", minLength: 1, maxLength: 64 } },
  required: [...streamParams.required, "replayId"],
};

/**
 * Replays (`POST .../replays`, `GET` and `DELETE .../replays/:replayId`): a stream's events of a
 * time window delivered again, with progress. The connector does the work (CatchUpRunner).
 */
export function registerReplayRoutes(app: FastifyInstance, service: EventStreamService): void {
  app.post<StreamRoute & ReplayBody>(
    base,
    {
      schema: {
        params: streamParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["since"],
          properties: {
            id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
            since: { type: "string", maxLength: 64 },
            until: { type: "string", maxLength: 64 },
            rate: { type: "integer", minimum: 1, maximum: 10_000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { projectId, id } = request.params;
      const body = request.body;
      const { view, created } = await service.replay(projectId, id, {
        id: body.id,
        since: parseTime("since", body.since),
        until: body.until === undefined ? undefined : parseTime("until", body.until),
        rate: body.rate ?? DEFAULT_RATE,
      });
      return reply
        .status(created ? 201 : 200)
        .header("location", `${request.url.split("?")[0]}/${view.replay.id}`)
        .send(presentReplay(view));
    },
  );

  app.get<ReplayRoute>(`${base}/:replayId`, { schema: { params: replayParams } }, async (request) => {
    const { projectId, id, replayId } = request.params;
    return presentReplay(service.replayOf(projectId, id, replayId));
  });

  app.delete<ReplayRoute>(`${base}/:replayId`, { schema: { params: replayParams } }, async (request) => {
    const { projectId, id, replayId } = request.params;
    return presentReplay(await service.cancelReplay(projectId, id, replayId));
  });
}

function parseTime(field: string, raw: string): number {
  const at = Date.parse(raw);
  if (Number.isNaN(at)) throw invalid(field, `"${raw}" is not an ISO 8601 time, e.g. 2026-11-30T10:00:00Z`);
  return at;
}

export function presentReplay(v: ReplayView): Record<string, unknown> {
  return {
    id: v.replay.id,
    since: v.replay.since,
    until: v.replay.until,
    rate: v.replay.rate,
    requested_at: v.replay.requestedAt,
    cancelled_at: v.replay.cancelledAt,
    found: v.found,
    delivered: v.delivered,
    failed: v.failed,
    done: v.done,
    progress: v.progress,
  };
}
