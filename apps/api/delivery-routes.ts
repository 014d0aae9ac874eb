import type { FastifyInstance } from "fastify";
import type { Kafka } from "kafkajs";
import type { DeliveryLogEntry } from "../../src/deliveries/delivery-log";
import type { DeliverySummary } from "../../src/deliveries/delivery-summaries";
import { InvalidDeliveryCursorError, readDeliveryLog } from "../../src/deliveries/read-delivery-log";
import { invalid } from "./api-error";
import type { EventStreamService } from "./event-stream-service";
import { limitQuery, queryLimit, streamParams } from "./schemas";

interface DeliveriesRoute {
  Params: { projectId: string; id: string };
  Querystring: { outcome?: "failed" | "succeeded"; limit?: string; cursor?: string };
}

/** A stream's deliveries log (`GET .../deliveries`): recent attempts, newest first. */
export function registerDeliveryRoutes(
  app: FastifyInstance,
  service: EventStreamService,
  deps: { kafka: Kafka; topic: string },
): void {
  app.get<DeliveriesRoute>(
    "/projects/:projectId/eventstreams/:id/deliveries",
    {
      schema: {
        params: streamParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            outcome: { type: "string", enum: ["failed", "succeeded"] },
            limit: limitQuery,
            cursor: { type: "string", maxLength: 32 },
          },
        },
      },
    },
    async (request) => {
      const { projectId, id } = request.params;
      service.get(projectId, id); // 404 for another project's or an unknown stream
      try {
        const page = await readDeliveryLog(deps.kafka, deps.topic, {
          streamId: id,
          outcome: request.query.outcome,
          limit: queryLimit(request.query.limit, 100, 50),
          cursor: request.query.cursor,
        });
        return { deliveries: page.entries.map(presentDelivery), next_cursor: page.cursor ?? null };
      } catch (error) {
        if (error instanceof InvalidDeliveryCursorError) throw invalid("cursor", error.message);
        throw error;
      }
    },
  );
}

export function presentDelivery(d: DeliveryLogEntry): Record<string, unknown> {
  return {
    at: d.at,
    event_id: d.eventId,
    event_name: d.eventName,
    attempt: d.attempt,
    outcome: d.outcome,
    code: d.code,
    message: d.message,
    latency_ms: d.latencyMs,
    next: d.next,
  };
}

/** The summary beside a stream in `get event-stream`, in the API's snake_case. */
export function presentSummary(s: DeliverySummary): Record<string, unknown> {
  return {
    last_hour: s.lastHour,
    last_day: s.lastDay,
    latency_ms: s.latencyMs,
    in_flight_limit: s.inFlightLimit,
    last_success_at: s.lastSuccessAt,
    last_failure: s.lastFailure,
  };
}
