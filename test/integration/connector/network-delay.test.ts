import { randomUUID } from "node:crypto";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { generateSecret } from "../../../connectors/sinks/https/signature";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { stackFromEnv } from "../../../support/stack-env";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { type DelayingProxy, startDelayingProxy } from "../../support/delaying-proxy";
import { receiveMessages } from "../../support/sqs";

/**
 * Destinations a round trip away (issue 24): SNS through a proxy that holds every request 20 ms,
 * and HTTPS receivers that throttle or are protected by a rate limit. A standard topic gets several
 * calls in flight, a FIFO topic one and its order; throttling is never a failure.
 */
describe("deliveries at a round trip's distance", () => {
  let pipeline: Pipeline;
  let proxy: DelayingProxy;
  let server: WebhookServer;
  let connector: RunningConnector;

  beforeAll(async () => {
    proxy = await startDelayingProxy(stackFromEnv().awsEndpointUrl, 20);
    server = await startWebhookServer();
    pipeline = await createPipeline(3);
    connector = await startConnector(
      connectorConfig(
        {},
        {
          ...process.env,
          ...pipeline.env,
          ...trustedReceiverEnv(server),
          AWS_ENDPOINT_URL_SNS: proxy.url,
          EVENTSTREAMS_RETRY_LADDER: "300ms,600ms,1200ms",
        },
      ),
      pino({ level: "warn" }),
    );
  });

  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
    await server?.close();
    await proxy?.close();
  });

  const publish = async (projectId: string, count: number) => {
    const ids: string[] = [];
    // Several produce calls: the connector reads them as they come, in more than one fetch.
    for (let i = 0; i < count; i += 25) {
      const events = await pipeline.publisher.publishMany(
        Array.from({ length: Math.min(25, count - i) }, () => ({
          name: "LoginSucceeded" as const,
          projectId,
        })),
      );
      ids.push(...events.map((e) => e.id));
    }
    return ids;
  };
  const bodiesOf = async (queueUrl: string, count: number) =>
    (await receiveMessages(queueUrl, count, 90_000)).map(
      (m) => (JSON.parse(m.Body ?? "{}") as { id: string }).id,
    );

  it("keeps a FIFO topic's order at 20 ms: one call in flight", async () => {
    const projectId = randomUUID();
    const fifo = await createTopicWithQueue({ fifo: true });
    const roleArn = await createPublisherRole(projectId, fifo.topicArn);
    await pipeline.addStream({ projectId, config: { topicArn: fifo.topicArn, roleArn } });
    const published = await publish(projectId, 200);
    expect(await bodiesOf(fifo.queueUrl, published.length)).toEqual(published);
    expect(proxy.mostInFlight(fifo.topicArn)).toBe(1);
  }, 120_000);

  it("has several calls in flight for a standard topic at 20 ms, and delivers every event", async () => {
    const projectId = randomUUID();
    const topic = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, topic.topicArn);
    await pipeline.addStream({ projectId, config: { topicArn: topic.topicArn, roleArn } });
    const published = await publish(projectId, 400);
    const arrived = new Set(await bodiesOf(topic.queueUrl, published.length));
    expect(published.every((id) => arrived.has(id))).toBe(true);
    expect(proxy.mostInFlight(topic.topicArn)).toBeGreaterThan(1);
  }, 120_000);

  it("never counts a throttling receiver as failing: nothing dead-lettered, the circuit closed", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    let answered = 0;
    const answer = server.reply;
    // Every other request answered 429: a receiver at its own limit.
    server.reply = (request) =>
      request.path === path ? (answered++ % 2 === 0 ? { status: 429 } : { status: 204 }) : answer(request);
    try {
      const stream = await pipeline.addStream({
        projectId,
        type: "https",
        config: {
          httpsEndpoint: server.url("127.0.0.1", path),
          secret: generateSecret(),
        },
      });
      const published = await publish(projectId, 60);
      const delivered = () =>
        new Set(server.requests.filter((r) => r.path === path).map((r) => String(r.headers["webhook-id"])));
      await waitFor(() => published.every((id) => delivered().has(id)), {
        timeoutMs: 60_000,
        description: () => `every event past the throttling (${delivered().size})`,
      });
      expect(connector.connector.breakers.isOpen(stream.id)).toBe(false);
      const admin = pipeline.kafka.admin();
      await admin.connect();
      const dead = await admin.fetchTopicOffsets(pipeline.topics.deadLetter);
      await admin.disconnect();
      expect(dead.reduce((n, p) => n + Number(p.high), 0)).toBe(0);
    } finally {
      server.reply = answer;
    }
  }, 120_000);

  it("holds a stream to its rate limit, and delivers the rest later", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    await pipeline.addStream({
      projectId,
      type: "https",
      rateLimit: 20,
      config: {
        httpsEndpoint: server.url("127.0.0.1", path),
        secret: generateSecret(),
      },
    });
    const published = await publish(projectId, 60);
    const arrivals = () => server.requests.filter((r) => r.path === path);
    await waitFor(
      () => new Set(arrivals().map((r) => String(r.headers["webhook-id"]))).size >= published.length,
      {
        timeoutMs: 60_000,
        description: () => `every event, in time (${arrivals().length})`,
      },
    );
    // No second of arrivals over the limit (a second's worth may come at once, at the start).
    const first = arrivals()[0]?.at ?? 0;
    const perSecond = new Map<number, number>();
    for (const r of arrivals()) {
      const second = Math.floor((r.at - first) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(20 + 20);
    const spanSeconds = ((arrivals().at(-1)?.at ?? first) - first) / 1000;
    expect(spanSeconds).toBeGreaterThanOrEqual((published.length - 20) / 20 - 0.5);
  }, 120_000);
});
