import { randomUUID } from "node:crypto";
import pino from "pino";
import { verifyWebhook } from "../../../apps/package";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { generateSecret } from "../../../connectors/sinks/https/signature";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";

/** publisher → domain topics → connector → HTTPS sink → a local HTTPS receiver, signatures checked. */
describe("HTTPS webhooks, end to end through the connector", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector;
  let server: WebhookServer;

  beforeAll(async () => {
    server = await startWebhookServer();
    pipeline = await createPipeline();
    const env = {
      ...process.env,
      ...pipeline.env,
      ...trustedReceiverEnv(server),
    };
    connector = await startConnector(connectorConfig({}, env), pino({ level: "warn" }));
  });
  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
    await server?.close();
  });

  it("delivers every event once per request, each verifiable with the stream's secret", async () => {
    const projectId = randomUUID();
    const secret = generateSecret();
    await pipeline.addStream({
      projectId,
      type: "https",
      config: { httpsEndpoint: server.url("127.0.0.1"), secret },
    });
    const published = await pipeline.publisher.publishMany(
      Array.from({ length: 20 }, (_, i) => ({
        name: "IdentityCreated" as const,
        projectId,
        eventAttributes: { seq: String(i) },
      })) as never,
    );
    await waitFor(() => new Set(server.requests.map((r) => r.headers["webhook-id"])).size >= 20, {
      timeoutMs: 30_000,
      description: () => `20 webhooks (got ${server.requests.length})`,
    });
    const ids = server.requests.map((r) => (verifyWebhook(secret, r.headers, r.body) as { id: string }).id);
    expect([...new Set(ids)].sort()).toEqual(published.map((e) => e.id).sort());
  });
});
