import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { generateSecret } from "../../../connectors/sinks/https/signature";
import { readToEnd } from "../../../src/kafka/read-to-end";
import { createLogger } from "../../../src/logging";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { stackFromEnv } from "../../../support/stack-env";
import { startTcpProxy, type TcpProxy } from "../../../support/tcp-proxy";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";

/**
 * The schema registry going away is our outage, never the event's fault: neither the main path nor
 * a retry tier dead-letters a record it cannot decode because the registry is unreachable. Each
 * connector under test reaches the real registry through a proxy the test takes down and brings
 * back, as a stopped and restarted registry process would look to it; the shared stack's registry
 * keeps serving every other suite.
 */
describe("schema registry outage", () => {
  let pipeline: Pipeline;
  let receiver: WebhookServer;
  let proxy: TcpProxy;
  const running: RunningConnector[] = [];
  const logs: string[] = [];
  const logger = createLogger("registry-outage", {
    level: "warn",
    destination: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });

  beforeAll(async () => {
    pipeline = await createPipeline(1);
    receiver = await startWebhookServer();
    const registry = new URL(stackFromEnv().schemaRegistryUrl);
    proxy = await startTcpProxy({ host: registry.hostname, port: Number(registry.port) });
  });
  afterAll(async () => {
    for (const c of running) await c.stop().catch(() => undefined);
    await proxy?.close();
    await receiver?.close();
    await pipeline?.close();
  });

  /** A connector whose registry is behind the proxy (or the real one), main path or tiers only. */
  async function connector(options: { proxied: boolean; retryOnly: boolean }): Promise<RunningConnector> {
    const registryUrl = options.proxied
      ? `http://127.0.0.1:${proxy.port}${new URL(stackFromEnv().schemaRegistryUrl).pathname}`
      : stackFromEnv().schemaRegistryUrl;
    const env = {
      ...process.env,
      ...pipeline.env,
      ...trustedReceiverEnv(receiver),
      SCHEMA_REGISTRY_URL: registryUrl,
      EVENTSTREAMS_RETRY_LADDER: "1s,2s",
      EVENTSTREAMS_RETRY_JITTER: "none",
      EVENTSTREAMS_RETRY_ONLY: String(options.retryOnly),
      EVENTSTREAMS_RETRY_CONSUMERS: String(options.retryOnly),
      EVENTSTREAMS_DELIVERY_THREADS: "0",
      // In this process: a retry-only connector would lower the priority of the whole test worker.
      EVENTSTREAMS_NICE: "0",
    };
    const started = await startConnector(connectorConfig({}, env), logger);
    running.push(started);
    return started;
  }

  const webhookStream = (projectId: string) =>
    pipeline.addStream({
      projectId,
      type: "https",
      config: { httpsEndpoint: receiver.url("127.0.0.1", "/ok"), secret: generateSecret() },
    });
  const okIds = () =>
    new Set(
      receiver.requests.filter((r) => r.path.startsWith("/ok")).map((r) => String(r.headers["webhook-id"])),
    );
  const logged = (text: string) => logs.filter((line) => line.includes(text)).length;
  const deadLetters = async () => {
    let count = 0;
    await readToEnd(pipeline.kafka, pipeline.topics.deadLetter, () => {
      count++;
    });
    return count;
  };

  it("neither the main path nor a retry tier dead-letters what it cannot decode while the registry is away", async () => {
    // The destination refuses every event's first attempt, so each goes through the retry tier.
    const attempts = new Map<string, number>();
    receiver.reply = (request) => {
      const id = String(request.headers["webhook-id"]);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      return n === 1 ? { status: 503 } : { status: 204 };
    };
    const projectId = randomUUID();
    await webhookStream(projectId);

    // The retry tiers in a process of their own that has never seen the schema: it must ask the
    // registry, which is away from the start.
    await proxy.down();
    await connector({ proxied: true, retryOnly: true });
    // The main path can reach the registry: it delivers, fails, and hands every event to the tier.
    await connector({ proxied: false, retryOnly: false });
    const events = await pipeline.publisher.publishMany(
      Array.from({ length: 20 }, () => ({ name: "IdentityCreated" as const, projectId })),
    );
    await waitFor(() => logged("reading them again after a back-off") >= 2, {
      timeoutMs: 30_000,
      description: "the retry tier backing off while the registry is away",
    });
    // Every event was tried once by the main path, and not yet again: the tier is waiting.
    expect(events.map((e) => attempts.get(e.id))).toEqual(events.map(() => 1));
    await proxy.up();
    await waitFor(() => events.every((e) => attempts.get(e.id) === 2), {
      timeoutMs: 30_000,
      description: () =>
        `all 20 events delivered by the tier (${[...attempts.values()].filter((n) => n >= 2).length} so far)`,
    });
    expect(await deadLetters()).toBe(0);
  });

  it("and a main path that cannot reach the registry reads the records again until it can", async () => {
    for (const c of running.splice(0)) await c.stop();
    receiver.reply = () => ({ status: 204 });
    const projectId = randomUUID();
    await webhookStream(projectId);
    await proxy.down();
    const before = logged("a record could not be processed");
    // A new process: its decoder has no schema cached yet.
    await connector({ proxied: true, retryOnly: false });
    const events = await pipeline.publisher.publishMany(
      Array.from({ length: 20 }, () => ({ name: "LoginSucceeded" as const, projectId })),
    );
    await waitFor(() => logged("a record could not be processed") >= before + 2, {
      timeoutMs: 30_000,
      description: "the main path backing off while the registry is away",
    });
    await proxy.up();
    await waitFor(() => events.every((e) => okIds().has(e.id)), {
      timeoutMs: 60_000,
      description: "all 20 events delivered once the registry is back",
    });
    expect(await deadLetters()).toBe(0);
  });
});
