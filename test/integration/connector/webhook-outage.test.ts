import { randomUUID } from "node:crypto";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { generateSecret } from "../../../connectors/sinks/https/signature";
import type { EventInput } from "../../../producers";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";

const EVENTS = 5_000;
// Long enough that no event runs out of steps (and into the dead-letter topic) while the outage
// lasts, however slowly a loaded machine gets every event its first retry.
const LADDER_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000];

/**
 * A webhook endpoint answers 503 while 5,000 events flow, until every event has been attempted
 * twice; then it recovers. Every event arrives, and the attempt times seen by the endpoint follow the
 * (scaled) ladder: never early, late by at most the tolerance below. The breaker threshold is out of
 * reach here so that every attempt reaches the endpoint and can be timed (the breaker has its own test).
 */
describe("webhook outage and recovery", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector;
  let server: WebhookServer;

  beforeAll(async () => {
    server = await startWebhookServer();
    pipeline = await createPipeline(3);
    const env = {
      ...process.env,
      ...pipeline.env,
      ...trustedReceiverEnv(server),
      EVENTSTREAMS_RETRY_LADDER: LADDER_MS.map((ms) => `${ms / 1000}s`).join(","),
      EVENTSTREAMS_RETRY_JITTER: "none",
      EVENTSTREAMS_BREAKER_THRESHOLD: "100000",
    };
    connector = await startConnector(connectorConfig({}, env), pino({ level: "silent" }));
  });

  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
    await server?.close();
  });

  it("delivers all 5,000 events after the outage, each attempt on the ladder's schedule", async () => {
    const projectId = randomUUID();
    await pipeline.addStream({
      projectId,
      type: "https",
      config: { httpsEndpoint: server.url("127.0.0.1"), secret: generateSecret() },
    });
    let down = true;
    server.reply = () => ({ status: down ? 503 : 204 });
    const attempts = new Map<string, number[]>();
    const delivered = new Set<string>();
    const record = () => {
      for (const request of server.requests.splice(0)) {
        const id = String(request.headers["webhook-id"]);
        const times = attempts.get(id) ?? [];
        times.push(request.at);
        attempts.set(id, times);
        if (!down) delivered.add(id);
      }
    };

    const published: string[] = [];
    for (let i = 0; i < EVENTS; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => ({
        name: "LoginSucceeded",
        projectId,
        eventAttributes: { seq: String(i + j) },
      })) as EventInput[];
      published.push(...(await pipeline.publisher.publishMany(batch)).map((e) => e.id));
    }
    await waitFor(
      () => {
        record();
        return published.every((id) => (attempts.get(id)?.length ?? 0) >= 2);
      },
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        description: () => `every event attempted twice (${attempts.size})`,
      },
    );
    record();
    down = false;
    await waitFor(
      () => {
        record();
        return published.every((id) => delivered.has(id));
      },
      {
        timeoutMs: 90_000,
        intervalMs: 200,
        description: () => `every event delivered after recovery (${delivered.size} of ${EVENTS})`,
      },
    );

    // Attempt n+1 comes one ladder step after attempt n: never early; late by less than the
    // tolerance (5,000 events pass each step on a shared 2-core machine, beside other suites).
    const gaps = LADDER_MS.map(() => [] as number[]);
    for (const id of published) {
      const times = attempts.get(id) as number[];
      for (const [n, at] of times.slice(1).entries()) gaps[n]?.push(at - (times[n] as number));
    }
    const summary = gaps
      .filter((g) => g.length > 0)
      .map(
        (g, n) => `step ${LADDER_MS[n]} ms: ${g.length} gaps, min ${Math.min(...g)} max ${Math.max(...g)}`,
      );
    process.stdout.write(`webhook outage: ${summary.join("; ")}\n`);
    gaps.forEach((g, n) => {
      if (g.length === 0) return;
      const step = LADDER_MS[n] as number;
      expect(Math.min(...g)).toBeGreaterThanOrEqual(step - 50);
      expect(Math.max(...g)).toBeLessThan(step + 10_000);
    });
  }, 240_000);
});
