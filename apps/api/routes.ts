import type { FastifyInstance, FastifyReply } from "fastify";
import type { EventStream } from "../../src/streams/event-stream";
import type { EventStreamService, StreamAnswer } from "./event-stream-service";
import { etagOf, presentStream } from "./present";
import {
  createBody,
  DEFAULT_GRACE_SECONDS,
  noQuery,
  patchBody,
  projectParams,
  rotateBody,
  streamParams,
  verifyQuery,
} from "./schemas";
import { parseIfMatch, parseStreamInput } from "./stream-input";

interface ProjectRoute {
  Params: { projectId: string };
}
interface StreamRoute {
  Params: { projectId: string; id: string };
}
interface Body {
  Body: Record<string, unknown>;
}
interface Verify {
  Querystring: { verify?: "true" | "false" };
}

const base = "/projects/:projectId/eventstreams";

export function registerEventStreamRoutes(
  app: FastifyInstance,
  service: EventStreamService,
  health: (streamId: string) => unknown = () => ({ status: "unknown" }),
  summary: (streamId: string) => unknown = () => null,
  minutes: (streamId: string) => unknown[] = () => [],
): void {
  const present = (stream: EventStream, revealSecrets = false) => ({
    ...presentStream(stream, {
      secretFields: service.secretFields(stream.type),
      revealSecrets,
      waiting: service.waitingOf(stream),
    }),
    health: health(stream.id),
    summary: summary(stream.id),
    ...(stream.backlog?.to ? { catch_up: service.catchUpOf(stream) } : {}),
  });

  const send = (reply: FastifyReply, stream: StreamAnswer, status = 200, revealSecrets = false) =>
    reply
      .status(status)
      .header("etag", etagOf(stream))
      .send({
        ...present(stream, revealSecrets),
        ...(stream.warnings?.length ? { warnings: stream.warnings } : {}),
      });

  app.post<ProjectRoute & Body & Verify>(
    base,
    { schema: { params: projectParams, body: createBody, querystring: verifyQuery } },
    async (request, reply) => {
      const input = parseStreamInput(request.body);
      const stream = await service.create(request.params.projectId, input, {
        verify: request.query.verify !== "false",
      });
      return send(reply.header("location", `${request.url.split("?")[0]}/${stream.id}`), stream, 201, true);
    },
  );

  app.get<ProjectRoute>(
    base,
    { schema: { params: projectParams, querystring: noQuery } },
    async (request) => ({
      event_streams: service.list(request.params.projectId).map((stream) => present(stream)),
    }),
  );

  app.get<StreamRoute>(
    `${base}/:id`,
    { schema: { params: streamParams, querystring: noQuery } },
    async (request, reply) => send(reply, service.get(request.params.projectId, request.params.id)),
  );

  // The last hour minute by minute (the console's chart): apart from the stream, whose reads would
  // otherwise change with the clock.
  app.get<StreamRoute>(
    `${base}/:id/minutes`,
    { schema: { params: streamParams, querystring: noQuery } },
    async (request) => {
      const stream = service.get(request.params.projectId, request.params.id);
      return { minutes: minutes(stream.id) };
    },
  );

  app.patch<StreamRoute & Body & Verify>(
    `${base}/:id`,
    { schema: { params: streamParams, body: patchBody, querystring: verifyQuery } },
    async (request, reply) => {
      const ifMatch = parseIfMatch(request.headers["if-match"]);
      const input = parseStreamInput(request.body);
      const stream = await service.update(request.params.projectId, request.params.id, input, {
        verify: request.query.verify !== "false",
        ifMatch,
      });
      return send(reply, stream);
    },
  );

  app.post<StreamRoute & { Body: { grace_period_seconds?: number } | undefined }>(
    `${base}/:id/rotate-secret`,
    { schema: { params: streamParams, body: rotateBody, querystring: noQuery } },
    async (request, reply) => {
      const ifMatch = parseIfMatch(request.headers["if-match"]);
      const graceSeconds = request.body?.grace_period_seconds ?? DEFAULT_GRACE_SECONDS;
      const stream = await service.rotateSecret(request.params.projectId, request.params.id, {
        ifMatch,
        graceMs: graceSeconds * 1000,
      });
      return send(reply, stream, 200, true);
    },
  );

  app.post<StreamRoute>(
    `${base}/:id/test`,
    { schema: { params: streamParams, querystring: noQuery } },
    async (request) => {
      const result = await service.sendTestEvent(request.params.projectId, request.params.id);
      return {
        event_id: result.eventId,
        name: result.name,
        outcome: result.outcome,
        code: result.code,
        message: result.message,
        latency_ms: result.latencyMs,
      };
    },
  );

  app.delete<StreamRoute>(
    `${base}/:id`,
    { schema: { params: streamParams, querystring: noQuery } },
    async (request, reply) => {
      const ifMatch = parseIfMatch(request.headers["if-match"]);
      await service.remove(request.params.projectId, request.params.id, { ifMatch });
      return reply.status(204).send();
    },
  );
}
