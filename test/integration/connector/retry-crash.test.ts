import { randomUUID } from "node:crypto";
import { getPriority } from "node:os";
import { generateSecret } from "../../../connectors/sinks/https/signature";
import type { EventInput } from "../../../producers";
import { waitFor } from "../../../src/util/wait-for";
import { type ConnectorProcess, spawnConnector } from "../../../support/connector-process";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";

const LADDER_MS = 3_000;

/**
 * Crash safety on the retry path: every event's first delivery fails (503), so all of them wait in
 * the first retry tier; the connector is SIGKILLed while they wait and started again. In the end
 * every event is delivered, and none earlier than its retry was due.
 */
describe("retry path crash safety", () => {
  let pipeline: Pipeline;
  let server: WebhookServer;
  let env: Record<string, string>;
  const attempts = new Map<string, { at: number; status: number }[]>();

  beforeAll(async () => {
    server = await startWebhookServer();
    server.reply = (request) => {
      const id = String(request.headers["webhook-id"]);
      const list = attempts.get(id) ?? [];
      const status = list.length === 0 ? 503 : 204;
      list.push({ at: Date.now(), status });
      attempts.set(id, list);
      return { status };
    };
    pipeline = await createPipeline(3);
    env = {
      ...pipeline.env,
      ...trustedReceiverEnv(server),
      EVENTSTREAMS_RETRY_LADDER: `${LADDER_MS}ms,${2 * LADDER_MS}ms`,
      EVENTSTREAMS_RETRY_JITTER: "none",
      // The breaker would send deliveries on without calling the endpoint; here every call counts.
      EVENTSTREAMS_BREAKER_THRESHOLD: "100000",
    };
  });

  afterAll(async () => {
    await pipeline?.close();
    await server?.close();
  });

  it("loses nothing and delivers nothing early when killed while retries are pending", async () => {
    const projects = [randomUUID(), randomUUID(), randomUUID()];
    for (const projectId of projects) {
      await pipeline.addStream({
        projectId,
        type: "https",
        config: { httpsEndpoint: server.url("127.0.0.1"), secret: generateSecret() },
      });
    }
    const first: ConnectorProcess = spawnConnector(env);
    const published = await pipeline.publisher.publishMany(
      Array.from({ length: 300 }, (_, i) => ({
        name: "IdentityCreated",
        projectId: projects[i % projects.length],
        eventAttributes: { seq: String(i) },
      })) as EventInput[],
    );
    const ids = published.map((e) => e.id);
    await waitFor(() => ids.every((id) => attempts.has(id)), {
      timeoutMs: 60_000,
      description: () =>
        `a first (failing) attempt for every event (have ${attempts.size}; log: ${first.logFile})`,
    });
    // Every event now waits in the first tier; none may be due yet.
    expect(ids.some((id) => (attempts.get(id)?.length ?? 0) > 1)).toBe(false);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = spawnConnector(env);
    try {
      await waitFor(() => ids.every((id) => attempts.get(id)?.some((a) => a.status === 204)), {
        timeoutMs: 120_000,
        description: () => `every event delivered after the restart (log: ${second.logFile})`,
      });
      for (const id of ids) {
        const [failed, retried] = attempts.get(id) ?? [];
        expect(failed?.status).toBe(503);
        // Due LADDER_MS after the failure was handed off, which is after the 503 was answered.
        expect((retried?.at ?? 0) - (failed?.at ?? 0)).toBeGreaterThanOrEqual(LADDER_MS);
      }
    } finally {
      second.child.kill("SIGKILL");
      await second.exited;
    }
  }, 240_000);

  it("runs a retry-only process at a lower CPU priority, so retries yield the cores to healthy deliveries", async () => {
    const tiers = spawnConnector({ ...env, EVENTSTREAMS_RETRY_ONLY: "true" });
    try {
      const pid = tiers.child.pid as number;
      await waitFor(() => tiers.output().includes("running at a lower CPU priority"), {
        timeoutMs: 60_000,
        description: () => `the retry-only connector to start (log: ${tiers.logFile})`,
      });
      expect(getPriority(pid)).toBe(10);
      expect(getPriority(process.pid)).toBe(0);
    } finally {
      tiers.child.kill("SIGKILL");
      await tiers.exited;
    }
  }, 90_000);
});
