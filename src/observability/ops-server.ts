import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface Readiness {
  ready: boolean;
  /** What is not ready yet, for the operator reading /readyz. */
  waitingFor: string[];
}

export interface OpsServerOptions {
  host?: string;
  port: number;
  metrics: Registry;
  readiness: () => Readiness;
}

/**
 * The operator's window into a long-running process: Prometheus metrics, liveness and readiness.
 * Kept apart from the product API so scrapes and probes never compete with customer traffic.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type });
      response.end(body);
    };
    if (path === "/metrics") {
      options.metrics.metrics().then(
        (text) => send(200, options.metrics.contentType, text),
        (error: unknown) => send(500, "text/plain", `metrics failed: ${String(error)}`),
      );
    } else if (path === "/healthz") {
      send(200, "application/json", JSON.stringify({ status: "ok" }));
    } else if (path === "/readyz") {
      const readiness = options.readiness();
      send(readiness.ready ? 200 : 503, "application/json", JSON.stringify(readiness));
    } else {
      send(
        404,
        "application/json",
        JSON.stringify({ error: "not found: try /metrics, /healthz or /readyz" }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return { server, url: `http://${address}:${port}` };
}
