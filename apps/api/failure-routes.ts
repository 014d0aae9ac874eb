import type { FastifyInstance } from "fastify";
import type { Kafka } from "kafkajs";
import type { EventDecoder } from "../../src/codec/event-decoder";
import type { DomainEvent } from "../../src/events/domain-event";
import {
  type DeadLetter,
  type DeadLetterPage,
  H,
  headerString,
  InvalidCursorError,
  listDeadLetterPage,
  PAGE_SIZE_LIMIT,
  redriveDeadLetters,
  type TierTopic,
} from "../../src/retry";
import type { SystemTopics } from "../../src/topics/system-topics";
import { invalid } from "./api-error";
import type { EventStreamService } from "./event-stream-service";
import { limitQuery, queryLimit, streamParams } from "./schemas";

export interface FailureDependencies {
  kafka: Kafka;
  topics: SystemTopics;
  /** Where a redrive puts dead letters: the first step of the connector's ladder. */
  firstTier: TierTopic;
  /** Reads each dead letter's event, so a customer sees which event it was. */
  decoder?: EventDecoder;
}

interface StreamRoute {
  Params: { projectId: string; id: string };
}

const base = "/projects/:projectId/eventstreams/:id";
const DECODE_TIMEOUT_MS = 3_000;

/**
 * A stream's dead letters (`GET .../failures`) and their redrive (`POST .../redrive`): the same
 * as `eventstreams dlq list|redrive --stream`, scoped to one stream the caller may manage.
 */
export function registerFailureRoutes(
  app: FastifyInstance,
  service: EventStreamService,
  deps: FailureDependencies,
): void {
  app.get<StreamRoute & { Querystring: { since?: string; cursor?: string; limit?: string } }>(
    `${base}/failures`,
    {
      schema: {
        params: streamParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            since: { type: "string", maxLength: 64 },
            cursor: { type: "string", maxLength: 2048 },
            limit: limitQuery,
          },
        },
      },
    },
    async (request) => {
      const { projectId, id } = request.params;
      service.get(projectId, id); // 404 for another project's or an unknown stream
      let page: DeadLetterPage;
      try {
        page = await listDeadLetterPage(
          deps.kafka,
          deps.topics,
          { projectId, streamId: id, since: parseSince(request.query.since) },
          {
            cursor: request.query.cursor,
            limit:
              request.query.limit === undefined
                ? undefined
                : queryLimit(request.query.limit, PAGE_SIZE_LIMIT, PAGE_SIZE_LIMIT),
          },
        );
      } catch (error) {
        if (error instanceof InvalidCursorError) throw invalid("cursor", error.message);
        throw error;
      }
      // A page scans a bounded part of the topic: follow next_cursor until it is null.
      return {
        failures: await Promise.all(
          page.letters.map(async (letter) => ({
            ...presentDeadLetter(letter),
            event: presentEvent(await eventOf(letter, deps.decoder)),
          })),
        ),
        next_cursor: page.cursor ?? null,
        scan_truncated: page.truncated,
      };
    },
  );

  app.post<StreamRoute & { Querystring: { since?: string; dry_run?: "true" | "false" } }>(
    `${base}/redrive`,
    {
      schema: {
        params: streamParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { since: { type: "string" }, dry_run: { type: "string", enum: ["true", "false"] } },
        },
      },
    },
    async (request) => {
      const { projectId, id } = request.params;
      service.get(projectId, id);
      const result = await redriveDeadLetters(
        deps.kafka,
        deps.topics,
        deps.firstTier,
        { projectId, streamId: id, since: parseSince(request.query.since) },
        { dryRun: request.query.dry_run === "true" },
      );
      return {
        matched: result.matched,
        already_redriven: result.alreadyRedriven,
        redriven: result.redriven,
        dry_run: request.query.dry_run === "true",
      };
    },
  );
}

function parseSince(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) throw invalid("since", `"${raw}" is not an ISO 8601 time`);
  return at;
}

/** The letter's event, or undefined when it cannot be read (the registry away, a record not ours). */
async function eventOf(
  letter: DeadLetter,
  decoder: EventDecoder | undefined,
): Promise<DomainEvent | undefined> {
  const topic = headerString(letter.message.headers, H.sourceTopic);
  if (!decoder || !topic) return undefined;
  let timer: NodeJS.Timeout | undefined;
  // A registry that does not answer costs the page its events, not its answer.
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), DECODE_TIMEOUT_MS);
  });
  const decoded = decoder.decode(letter.message.value, topic).catch(() => undefined);
  return Promise.race([decoded, late]).finally(() => clearTimeout(timer));
}

function presentEvent(event: DomainEvent | undefined): Record<string, unknown> | null {
  if (!event) return null;
  return {
    id: event.id,
    name: event.name,
    occurred_at: event.timestamp.toISOString(),
    attributes: event.eventAttributes,
  };
}

/** A dead letter in the API's snake_case, as the CLI's `dlq list --format json` prints it too. */
export function presentDeadLetter(d: DeadLetter): Record<string, unknown> {
  return {
    position: d.position,
    parked_at: d.parkedAt,
    stream_id: d.streamId,
    reason: d.reason,
    attempts: d.attempts,
    first_failed_at: d.firstFailedAt,
    last_error: d.lastError,
    history: d.history,
    redriven: d.redriven,
  };
}
