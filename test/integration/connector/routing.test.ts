import { randomUUID } from "node:crypto";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import type { EventInput } from "../../../producers";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { aws } from "../../../support/clients";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { receiveMessages } from "../../support/sqs";

/**
 * The whole path against the real stack: publisher → domain topics → connector → SNS → SQS.
 * Project A has one stream, B two (one filtered to two names), C a paused one.
 */
describe("connector routing, end to end", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector;

  beforeAll(async () => {
    pipeline = await createPipeline();
    connector = await startConnector(
      connectorConfig({}, { ...process.env, ...pipeline.env }),
      pino({ level: "warn" }),
    );
  });

  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
  });

  async function snsStream(
    projectId: string,
    extra: { eventTypes?: string[]; status?: "active" | "paused" } = {},
  ) {
    const destination = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, destination.topicArn);
    await pipeline.addStream({ projectId, config: { topicArn: destination.topicArn, roleArn }, ...extra });
    return destination;
  }

  function mixedEvents(projectId: string, count: number): EventInput[] {
    const names = [
      "IdentityCreated",
      "LoginSucceeded",
      "SessionIssued",
      "OAuth2AccessTokenIssued",
      "PermissionsChecked",
    ] as const;
    return Array.from({ length: count }, (_, i) => ({
      name: names[i % names.length] as (typeof names)[number],
      projectId,
      eventAttributes: { seq: String(i) },
    })) as EventInput[];
  }

  it("delivers each project's events to its own active streams only, honouring filters", async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const aQueue = await snsStream(a);
    const bAll = await snsStream(b);
    const bFiltered = await snsStream(b, { eventTypes: ["LoginSucceeded", "PermissionsChecked"] });
    const cPaused = await snsStream(c, { status: "paused" });

    const published = await pipeline.publisher.publishMany([
      ...mixedEvents(a, 60),
      ...mixedEvents(b, 50),
      ...mixedEvents(c, 20),
    ]);
    const ids = (projectId: string, names?: string[]) =>
      published
        .filter((e) => e.projectId === projectId && (!names || names.includes(e.name)))
        .map((e) => e.id)
        .sort();
    const bodies = async (queueUrl: string, count: number) =>
      (await receiveMessages(queueUrl, count)).map(
        (m) => JSON.parse(m.Body ?? "{}") as { id: string; projectId: string },
      );

    const aGot = await bodies(aQueue.queueUrl, 60);
    const bAllGot = await bodies(bAll.queueUrl, 50);
    const bFilteredIds = ids(b, ["LoginSucceeded", "PermissionsChecked"]);
    const bFilteredGot = await bodies(bFiltered.queueUrl, bFilteredIds.length);

    expect([...new Set(aGot.map((e) => e.id))].sort()).toEqual(ids(a));
    expect([...new Set(bAllGot.map((e) => e.id))].sort()).toEqual(ids(b));
    expect([...new Set(bFilteredGot.map((e) => e.id))].sort()).toEqual(bFilteredIds);
    // Isolation: no queue holds another project's event.
    expect(aGot.every((e) => e.projectId === a)).toBe(true);
    expect([...bAllGot, ...bFilteredGot].every((e) => e.projectId === b)).toBe(true);

    // C's events were consumed (A's and B's, published after them in the same partitions, arrived);
    // its paused stream received nothing.
    const { Messages = [] } = await aws.sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: cPaused.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages).toEqual([]);
  });

  it("counts its fetches from the domain topics in its metrics", async () => {
    const text = await connector.connector.metricsRegistry.getSingleMetricAsString(
      "eventstreams_fetch_duration_seconds",
    );
    expect(text).toMatch(/^eventstreams_fetch_duration_seconds_count [1-9]\d*$/m);
  });

  // Order is per project within a domain: each domain is its own topic, consumed independently.
  it("keeps one project's order (within a domain) on a FIFO topic", async () => {
    const projectId = randomUUID();
    const fifo = await createTopicWithQueue({ fifo: true });
    const roleArn = await createPublisherRole(projectId, fifo.topicArn);
    await pipeline.addStream({ projectId, config: { topicArn: fifo.topicArn, roleArn } });

    const published: string[] = [];
    for (let i = 0; i < 5; i++) {
      const batch = mixedEvents(projectId, 10).map((e) => ({ ...e, name: "LoginSucceeded" }) as EventInput);
      published.push(...(await pipeline.publisher.publishMany(batch)).map((e) => e.id));
    }
    const received = await receiveMessages(fifo.queueUrl, published.length);
    expect(received.map((m) => JSON.parse(m.Body ?? "{}").id)).toEqual(published);
  });
});
