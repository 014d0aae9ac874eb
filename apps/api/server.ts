import ajvErrors from "ajv-errors";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { SinkRegistry } from "../../connectors/sinks";
import { DEFAULT_BODY_LIMIT_BYTES } from "../../src/settings/api-settings";
import { ApiError } from "./api-error";
import { type Authenticator, mayManage } from "./auth";
import { CONSOLE_PREFIX, registerConsoleRoutes } from "./console-routes";
import { registerDeliveryRoutes } from "./delivery-routes";
import { installErrorHandling } from "./error-handler";
import type { EventStreamService } from "./event-stream-service";
import { type FailureDependencies, registerFailureRoutes } from "./failure-routes";
import { registerApiMetrics } from "./metrics";
import { OPENAPI_PATH, registerOpenApi } from "./openapi";
import { registerProjectRoutes } from "./project-routes";
import { registerReplayRoutes } from "./replay-routes";
import { registerEventStreamRoutes } from "./routes";

export interface ServerOptions {
  service: EventStreamService;
  /** Dead letters and redrive per stream; absent, those routes are not offered. */
  failures?: FailureDependencies;
  authenticator: Authenticator;
  logger: Logger;
  /** True once the stream registry caught up: until then only /healthz and /readyz answer. */
  isReady: () => boolean;
  /** Streams in the configuration table, for /metrics. */
  streamCount?: () => number;
  /** A stream's health as the connectors report it, shown beside the stream. */
  health?: (streamId: string) => unknown;
  /** A stream's last hour and day of deliveries (DeliverySummaries), shown beside the stream. */
  summary?: (streamId: string) => unknown;
  /** A stream's last hour of deliveries minute by minute (DeliverySummaries.minutes). */
  minutes?: (streamId: string) => unknown[];
  bodyLimitBytes?: number;
  /** The sinks, whose destination settings the OpenAPI document describes. */
  sinks?: SinkRegistry;
}

const PUBLIC_PATHS = new Set(["/healthz", "/readyz", "/metrics", OPENAPI_PATH, "/console"]);

/** Probes, metrics, the API's description and the console's files answer without a token. */
const isPublic = (path: string) => PUBLIC_PATHS.has(path) || path.startsWith(CONSOLE_PREFIX);

export function buildServer(options: ServerOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    ajv: {
      // Reject, never silently drop or coerce: a typo in a field name must be an error.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true },
      // ajv-errors lets a schema word its own messages ("must be a UUID"); its typings predate fastify's.
      plugins: [ajvErrors as never],
    },
  });
  installErrorHandling(app);
  registerOpenApi(app, options.sinks, isPublic);
  // Every route once the OpenAPI plugin has loaded: its route hook describes them all.
  app.after((error) => {
    if (error) throw error;
    registerApiMetrics(app, options.streamCount ?? (() => 0));
    registerConsoleRoutes(app);

    app.get("/healthz", async () => ({ status: "ok" }));
    app.get("/readyz", async (_request, reply) =>
      options.isReady()
        ? { status: "ready" }
        : reply.status(503).send({ status: "starting", message: "catching up with the config topic" }),
    );

    app.decorateRequest("principal", undefined);
    // Runs before the body is read, so a refused caller cannot make us parse (or size-check) anything.
    app.addHook("onRequest", async (request) => {
      const path = request.url.split("?")[0] ?? "";
      if (isPublic(path)) return;
      const principal = options.authenticator.authenticate(request.headers.authorization);
      if (!principal) {
        throw new ApiError(401, "unauthorized", "send a valid API token as Authorization: Bearer <token>");
      }
      request.principal = principal;
      const params = (request.params ?? {}) as { projectId?: string };
      // One spelling per project: an upper-case id is the same project, for the token check too.
      if (typeof params.projectId === "string") params.projectId = params.projectId.toLowerCase();
      const { projectId } = params;
      if (projectId !== undefined && !mayManage(principal, projectId)) {
        throw new ApiError(
          403,
          "forbidden",
          "project_id: this token may not manage that project",
          "project_id",
        );
      }
      if (!options.isReady()) {
        throw new ApiError(503, "not_ready", "the API is still loading event streams: retry shortly");
      }
    });

    registerEventStreamRoutes(app, options.service, options.health, options.summary, options.minutes);
    registerReplayRoutes(app, options.service);
    registerProjectRoutes(app, options.service);
    if (options.failures) {
      registerFailureRoutes(app, options.service, options.failures);
      const { kafka, topics } = options.failures;
      registerDeliveryRoutes(app, options.service, { kafka, topic: topics.deliveries });
    }
  });
  return app;
}
