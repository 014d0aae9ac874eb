import { randomUUID } from "node:crypto";
import { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import { CompressionTypes } from "kafkajs";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { MAX_INFLATED_BATCH_BYTES } from "../../../src/kafka/gzip-codec";
import { readToEnd } from "../../../src/kafka/read-to-end";
import { H, headerString } from "../../../src/retry";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { domainTopic, valueSubject } from "../../../src/topics/domain-topics";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { stackFromEnv } from "../../../support/stack-env";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { receiveMessages } from "../../support/sqs";

interface Parked {
  offset: string;
  reason?: string;
  code?: string;
  sourceTopic?: string;
  sourcePartition?: string;
  sourceOffset?: string;
  streamId?: string;
  value: Buffer;
}

/** Records that cannot be decoded go to the dead-letter topic with their context; the flow goes on. */
describe("connector and poison records", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector;

  beforeAll(async () => {
    pipeline = await createPipeline(1);
    connector = await startConnector(
      // An unknown schema id is looked up again for 2 s (30 s by default) before it is dead-lettered.
      connectorConfig({}, { ...process.env, ...pipeline.env, EVENTSTREAMS_UNKNOWN_SCHEMA_GRACE: "2s" }),
      pino({ level: "silent" }),
    );
  });

  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
  });

  it("parks undecodable records with reason and source, and keeps delivering", async () => {
    const projectId = randomUUID();
    const { topicArn, queueUrl } = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, topicArn);
    await pipeline.addStream({ projectId, config: { topicArn, roleArn } });

    const before = await pipeline.publisher.publish({ name: "IdentityCreated", projectId });
    const topic = domainTopic("identities", pipeline.prefix);
    const registry = new SchemaRegistry({ host: stackFromEnv().schemaRegistryUrl });
    const schemaId = await registry.getLatestSchemaId(valueSubject(topic));
    const header = (id: number) => {
      const b = Buffer.alloc(5);
      b.writeInt32BE(id, 1);
      return b;
    };
    const poison = [
      Buffer.from("not avro at all"), // bad magic byte
      Buffer.concat([header(2_000_000_000), Buffer.from([1, 2, 3])]), // unknown schema id
      Buffer.concat([header(schemaId), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])]), // corrupt Avro
    ];
    const producer = pipeline.kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: poison.map((value) => ({ key: projectId, value })) });
    await producer.disconnect();
    const after = await pipeline.publisher.publish({ name: "LoginSucceeded", projectId });

    const delivered = await receiveMessages(queueUrl, 2);
    expect(delivered.map((m) => JSON.parse(m.Body ?? "{}").id).sort()).toEqual([before.id, after.id].sort());

    // The unknown id is transient for 2 s: the partition is read again from it, and the record after
    // it, dead-lettered already, may be dead-lettered again (at least once). The one before it is not.
    const all = await readDeadLetters(pipeline, 3, (found) => new Set(found.map((p) => p.sourceOffset)).size);
    expect(all.filter((p) => p.sourceOffset === "1")).toHaveLength(1);
    const parked = all.filter((p, i) => all.findIndex((q) => q.sourceOffset === p.sourceOffset) === i);
    expect(parked.map((p) => p.value)).toEqual(poison);
    expect(parked.map((p) => p.code)).toEqual(["bad-magic-byte", "unknown-schema", "corrupt-avro"]);
    for (const p of parked) {
      expect(p.reason).toBeTruthy();
      expect(p.sourceTopic).toBe(topic);
      expect(p.sourcePartition).toBe("0");
    }
    // Offsets 1, 2, 3: between the two good events at 0 and 4.
    expect(parked.map((p) => p.sourceOffset)).toEqual(["1", "2", "3"]);
  });

  it("dead-letters a decompression bomb as one reference, never inflated, and reads on past it", async () => {
    const projectId = randomUUID();
    const { topicArn, queueUrl } = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, topicArn);
    await pipeline.addStream({ projectId, config: { topicArn, roleArn } });
    const topic = domainTopic("oauth2", pipeline.prefix);
    const before = await pipeline.publisher.publish({ name: "OAuth2LoginAccepted", projectId });
    // Three records of zeros, half again the limit in all, in one gzip batch of about 40 KiB.
    const zeros = Buffer.alloc(MAX_INFLATED_BATCH_BYTES / 2, 0);
    const producer = pipeline.kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: [zeros, zeros, zeros].map((value) => ({ key: projectId, value })),
    });
    await producer.disconnect();
    const after = await pipeline.publisher.publish({ name: "OAuth2LoginAccepted", projectId });

    const delivered = await receiveMessages(queueUrl, 2);
    expect(delivered.map((m) => JSON.parse(m.Body ?? "{}").id).sort()).toEqual([before.id, after.id].sort());
    const parked = (await readDeadLetters(pipeline, 4)).filter((p) => p.sourceTopic === topic);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ code: "batch-too-large", sourceOffset: "3", value: Buffer.alloc(0) });
    expect(parked[0]?.reason).toContain("offsets 1 to 3");
  });

  it("leaves a reference for a failure too large for its retry topic, and reads on past it", async () => {
    // Every retry tier accepts 2 KiB records at most; the event below is larger.
    const admin = pipeline.kafka.admin();
    await admin.connect();
    const tiers = connectorConfig({}, { ...process.env, ...pipeline.env }).retryLadder;
    await admin.alterConfigs({
      validateOnly: false,
      resources: tiers.map((tier) => ({
        type: 2, // TOPIC
        name: pipeline.topics.retryTier(tier.name),
        configEntries: [{ name: "max.message.bytes", value: "2048" }],
      })),
    });
    await admin.disconnect();
    const projectId = randomUUID();
    const { topicArn, queueUrl } = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, topicArn);
    // One stream whose topic does not exist (a retryable misconfiguration), one healthy.
    const missing = `${topicArn}-gone`;
    const failing = await pipeline.addStream({ projectId, config: { topicArn: missing, roleArn } });
    await pipeline.addStream({ projectId, config: { topicArn, roleArn } });
    const large = await pipeline.publisher.publish({
      name: "SessionChanged",
      projectId,
      eventAttributes: Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`trait${i}`, "x".repeat(200)]),
      ),
    });
    const after = await pipeline.publisher.publish({ name: "SessionRevoked", projectId });
    const delivered = await receiveMessages(queueUrl, 2);
    expect(delivered.map((m) => JSON.parse(m.Body ?? "{}").id).sort()).toEqual([large.id, after.id].sort());
    const letters = await waitForLetter(pipeline, (p) => p.streamId === failing.id);
    expect(letters).toMatchObject({
      code: "handoff-too-large",
      sourceTopic: domainTopic("identities", pipeline.prefix),
      value: Buffer.alloc(0),
    });
    expect(letters.reason).toContain("too large");
  });
});

/** The first dead letter that `match` accepts, read from the start of the topic. */
async function waitForLetter(pipeline: Pipeline, match: (p: Parked) => boolean): Promise<Parked> {
  let found: Parked | undefined;
  await waitFor(
    async () => {
      found = (await deadLettersNow(pipeline)).find(match);
      return found !== undefined;
    },
    { timeoutMs: 30_000, description: "the dead letter" },
  );
  return found as Parked;
}

async function readDeadLetters(
  pipeline: Pipeline,
  count: number,
  counted: (found: Parked[]) => number = (found) => found.length,
): Promise<Parked[]> {
  let parked: Parked[] = [];
  await waitFor(
    async () => {
      parked = await deadLettersNow(pipeline);
      return counted(parked) >= count;
    },
    { timeoutMs: 30_000, description: "dead-lettered records" },
  );
  return parked.sort((a, b) => Number(a.sourceOffset) - Number(b.sourceOffset));
}

/** Every record in the dead-letter topic now. */
async function deadLettersNow(pipeline: Pipeline): Promise<Parked[]> {
  const parked: Parked[] = [];
  await readToEnd(pipeline.kafka, pipeline.topics.deadLetter, (_partition, message) => {
    parked.push({
      offset: message.offset,
      reason: headerString(message.headers, H.reason),
      code: headerString(message.headers, H.errorCode),
      sourceTopic: headerString(message.headers, H.sourceTopic),
      sourcePartition: headerString(message.headers, H.sourcePartition),
      sourceOffset: headerString(message.headers, H.sourceOffset),
      value: message.value ?? Buffer.alloc(0),
      streamId: headerString(message.headers, H.streamId),
    });
  });
  return parked;
}
