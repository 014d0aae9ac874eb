import { randomUUID } from "node:crypto";
import { CreateTopicCommand, DeleteTopicCommand } from "@aws-sdk/client-sns";
import pino from "pino";
import { subscribeQueue } from "../../../apps/demo/customer-aws";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import type { EventInput } from "../../../producers";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { domainTopic } from "../../../src/topics/domain-topics";
import { waitFor } from "../../../src/util/wait-for";
import { aws } from "../../../support/clients";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { QueueCollector } from "../../support/queue-collector";

const LADDER = "1s,2s,4s,8s,16s,32s";

/**
 * A customer's SNS topic disappears while events flow, and comes back (same name, queue
 * subscribed again): the failed deliveries wait in the retry tiers and all arrive after recovery.
 */
describe("destination outage and recovery", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector | undefined;
  const start = () =>
    startConnector(
      connectorConfig(
        {},
        {
          ...process.env,
          ...pipeline.env,
          // 63 s in all: on a loaded CI machine the outage, as the connector sees it, can outlast 31 s.
          EVENTSTREAMS_RETRY_LADDER: LADDER,
          EVENTSTREAMS_RETRY_JITTER: "none",
        },
      ),
      pino({ level: "silent" }),
    );

  beforeAll(async () => {
    pipeline = await createPipeline(3);
    connector = await start();
  });

  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
  });

  it("delivers every event once the destination is back", async () => {
    const projectId = randomUUID();
    const { topicArn, queueUrl, queueArn } = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, topicArn);
    await pipeline.addStream({ projectId, config: { topicArn, roleArn } });
    const collector = new QueueCollector([queueUrl]);
    const events = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        name: "LoginSucceeded",
        projectId,
        eventAttributes: { seq: String(i) },
      })) as EventInput[];
    try {
      const before = await pipeline.publisher.publishMany(events(50));
      await waitFor(() => before.every((e) => collector.counts.has(e.id)), {
        timeoutMs: 30_000,
        description: "events before the outage",
      });

      await aws.sns().send(new DeleteTopicCommand({ TopicArn: topicArn }));
      const during = await pipeline.publisher.publishMany(events(200));
      // The failures are in the retry path: the connector reports them as handed off.
      await waitFor(async () => (await retryableFailures(connector)) >= 1, {
        timeoutMs: 30_000,
        description: "failed deliveries handed to the retry path",
      });

      // SNS accepts and drops what is published to a topic with no subscription, so a delivery
      // between the topic's re-creation and the queue's subscription would be lost for this test.
      // The connector is stopped over that gap; its retry tiers wait in Kafka.
      await connector?.stop();
      connector = undefined;
      const { TopicArn } = await aws.sns().send(new CreateTopicCommand({ Name: topicArn.split(":").pop() }));
      expect(TopicArn).toBe(topicArn);
      await subscribeQueue(topicArn, queueArn);
      connector = await start();
      await waitFor(() => during.every((e) => collector.counts.has(e.id)), {
        timeoutMs: 90_000,
        intervalMs: 500,
        description: () =>
          `every event after recovery (${during.filter((e) => collector.counts.has(e.id)).length} of ${during.length})`,
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await whereTheyAre(pipeline, connector)}`);
      });
    } finally {
      await collector.stop();
    }
  }, 150_000);
});

/**
 * Where missing events are, for a failure message: per topic of the path, its records and what its
 * consumer group has committed; and the connector's delivery and retry counters.
 */
async function whereTheyAre(pipeline: Pipeline, running: RunningConnector | undefined): Promise<string> {
  const groupId = pipeline.env.EVENTSTREAMS_GROUP_ID as string;
  const tiers = LADDER.split(",");
  const paths: [topic: string, group: string | undefined][] = [
    [domainTopic("identities", pipeline.prefix), groupId],
    ...tiers.map((t): [string, string] => [pipeline.topics.retryTier(t), `${groupId}.retry.${t}`]),
    [pipeline.topics.deadLetter, undefined],
  ];
  const admin = pipeline.kafka.admin();
  await admin.connect();
  const lines: string[] = [];
  try {
    for (const [topic, group] of paths) {
      const high = (await admin.fetchTopicOffsets(topic))
        .sort((a, b) => a.partition - b.partition)
        .map((p) => `${p.partition}:${p.high}`);
      const committed = group
        ? (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions.map(
            (p) => `${p.partition}:${p.offset}`,
          )
        : [];
      lines.push(`${topic}: high ${high.join(" ")}; committed ${committed?.join(" ") ?? "-"}`);
    }
  } finally {
    await admin.disconnect();
  }
  if (running) {
    const { deliveries, retryOutcomes } = running.connector.metrics;
    for (const metric of [await deliveries.get(), await retryOutcomes.get()])
      lines.push(
        `${metric.name}: ${metric.values.map((v) => `${JSON.stringify(v.labels)}=${v.value}`).join(" ")}`,
      );
  }
  return lines.join("\n");
}

/** Deliveries that failed (retryable) so far, from the connector's own metric. */
async function retryableFailures(running: RunningConnector | undefined): Promise<number> {
  if (!running) return 0;
  const { values } = await running.connector.metrics.deliveries.get();
  return values.filter((v) => v.labels.outcome === "retryable").reduce((n, v) => n + v.value, 0);
}
