import type { FastifyInstance } from "fastify";
import type { EventStreamService } from "./event-stream-service";
import { limitQuery, queryLimit } from "./schemas";

const PAGE_LIMIT = 1_000;
const DEFAULT_PAGE = 100;

/**
 * `GET /projects`: the projects the caller's token may manage, so a console signed in with an
 * admin token can pick one (a project token sees its own). Pages in id order: `?after=<last id>`.
 */
export function registerProjectRoutes(app: FastifyInstance, service: EventStreamService): void {
  app.get<{ Querystring: { after?: string; limit?: string } }>(
    "/projects",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { after: { type: "string", maxLength: 64 }, limit: limitQuery },
        },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new Error("an authenticated route without a principal");
      const { after, limit } = request.query;
      const page = service.projects(principal, { after, limit: queryLimit(limit, PAGE_LIMIT, DEFAULT_PAGE) });
      return {
        projects: page.projects,
        next_after: page.more ? (page.projects.at(-1)?.id ?? null) : null,
        admin: principal.kind === "admin",
      };
    },
  );
}
