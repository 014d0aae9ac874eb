import { randomUUID } from "node:crypto";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";
import { startTestApi, type TestApi } from "../../support/api";

/** The connector reports each stream's health; the API shows it beside the stream. */
describe("stream health in the API", () => {
  let pipeline: Pipeline;
  let server: WebhookServer;
  let connector: RunningConnector;
  let api: TestApi;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startWebhookServer();
    server.reply = () => ({ status: 503 });
    pipeline = await createPipeline(1);
    // Connector and API read their topics (prefix) and sink settings from the environment.
    Object.assign(process.env, pipeline.env, {
      ...trustedReceiverEnv(server),
      EVENTSTREAMS_BREAKER_THRESHOLD: "3",
      // Quick retries, so failures add up to the threshold within the test.
      EVENTSTREAMS_RETRY_LADDER: "200ms,400ms,800ms",
    });
    api = await startTestApi({ topic: pipeline.topics.config });
    connector = await startConnector(connectorConfig({}, process.env), pino({ level: "silent" }));
  });

  afterAll(async () => {
    await connector?.stop();
    await api?.close();
    await pipeline?.close();
    await server?.close();
    process.env = saved;
  });

  it("shows a failing destination's circuit open with its last error, and a new stream as unknown", async () => {
    const projectId = randomUUID();
    const created = await api.call("POST", `/projects/${projectId}/eventstreams?verify=false`, {
      body: { type: "https", https_endpoint: server.url("127.0.0.1") },
    });
    expect(created.status).toBe(201);
    expect(created.body.health).toEqual({ status: "unknown" });

    // One event at a time, each attempted before the next: three failed deliveries open the circuit.
    for (let i = 1; i <= 3; i++) {
      await pipeline.publisher.publish({ name: "IdentityCreated", projectId });
      await waitFor(() => server.requests.length >= i, {
        timeoutMs: 20_000,
        description: `delivery attempt ${i}`,
      });
    }
    let last: unknown;
    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;
    const health = await waitFor(
      async () => {
        const { body } = await api.call("GET", path);
        last = body.health;
        return body.health.status === "circuit-open" ? body.health : undefined;
      },
      {
        timeoutMs: 30_000,
        description: () =>
          `the circuit to open and be reported (last: ${JSON.stringify(last)}, webhooks received: ${server.requests.length})`,
      },
    );
    expect(health.lastError.code).toMatch(/503|ServiceUnavailable|HttpStatus/i);
    expect(health.consecutiveFailures).toBeGreaterThanOrEqual(3);
  });
});
