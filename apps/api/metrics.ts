import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The API's Prometheus metrics: requests by route pattern and status (bounded labels: the route
 * template, never the URL with its project ids), latency, and the size of the stream table.
 */
export function registerApiMetrics(app: FastifyInstance, streamCount: () => number): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "eventstreams_api_requests_total",
    help: "HTTP requests by route template, method and status",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "eventstreams_api_request_duration_seconds",
    help: "HTTP request duration by route template",
    labelNames: ["route"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: "eventstreams_config_streams",
    help: "Event streams in this process's configuration table",
    registers: [registry],
    collect() {
      this.set(streamCount());
    },
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}
