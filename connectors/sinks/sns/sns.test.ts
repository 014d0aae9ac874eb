import { randomUUID } from "node:crypto";
import { STSClient } from "@aws-sdk/client-sts";
import type { DomainEvent } from "../../../src/events/domain-event";
import { createPublisherRole, createTopicWithQueue } from "../../../test/support/aws-fixtures";
import { receiveMessages } from "../../../test/support/sqs";
import type { SinkTarget } from "../sink";
import { createSnsSink, type SnsConfig } from "./index";

/** Against the real AWS emulator: STS AssumeRole, SNS PublishBatch, an SQS queue subscribed. */

function events(count: number, projectId: string, attributes: Record<string, string> = {}): DomainEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    name: i % 2 ? "LoginSucceeded" : "IdentityCreated",
    domain: "identities",
    version: "1",
    timestamp: new Date(Date.now() + i),
    projectId,
    eventAttributes: { identityId: randomUUID(), seq: String(i), ...attributes },
  }));
}

/** An STS client that records what it was asked, to show the ExternalId we send. */
function observedSts() {
  const assumeRoleInputs: { RoleArn?: string; ExternalId?: string; RoleSessionName?: string }[] = [];
  const sts = new STSClient({});
  sts.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "AssumeRoleCommand") assumeRoleInputs.push(args.input as never);
      return next(args);
    },
    { step: "initialize", name: "recordAssumeRole" },
  );
  return { sts, assumeRoleInputs };
}

async function customerSetUp(options: { fifo?: boolean } = {}) {
  const projectId = randomUUID();
  const { topicArn, queueUrl } = await createTopicWithQueue(options);
  const roleArn = await createPublisherRole(projectId, topicArn);
  const target: SinkTarget<SnsConfig> = {
    streamId: `es_${randomUUID().slice(0, 8)}`,
    projectId,
    config: { topicArn, roleArn },
  };
  return { target, queueUrl, projectId };
}

describe("SNS sink", () => {
  const { sts, assumeRoleInputs } = observedSts();
  const sink = createSnsSink({ sts, env: process.env });
  afterAll(() => sink.close());

  it("publishes every event in the delivered shape with filterable attributes", async () => {
    const { target, queueUrl, projectId } = await customerSetUp();
    const batch = events(10, projectId);
    const results = await sink.deliver(target, batch);
    expect(results).toEqual(batch.map(() => ({ outcome: "delivered" })));

    const messages = await receiveMessages(queueUrl, batch.length);
    const bodies = messages
      .map((m) => JSON.parse(m.Body ?? "{}"))
      .sort((a, b) => a.eventAttributes.seq - b.eventAttributes.seq);
    expect(bodies).toEqual(
      batch.map((e) => ({
        id: e.id,
        name: e.name,
        version: "1",
        timestamp: e.timestamp.toISOString(),
        projectId,
        eventAttributes: e.eventAttributes,
      })),
    );
    const attributes = messages[0]?.MessageAttributes ?? {};
    expect(attributes.projectId?.StringValue).toBe(projectId);
    expect(attributes.domain?.StringValue).toBe("identities");
    expect(["IdentityCreated", "LoginSucceeded"]).toContain(attributes.eventName?.StringValue);
  });

  it("assumes the customer's role with ExternalId = project id, once for concurrent callers", async () => {
    const { target, queueUrl, projectId } = await customerSetUp();
    const before = assumeRoleInputs.length;
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => sink.deliver(target, events(2, projectId))));
    expect(results.flat().every((r) => r.outcome === "delivered")).toBe(true);
    const calls = assumeRoleInputs.slice(before);
    expect(calls).toEqual([
      {
        RoleArn: target.config.roleArn,
        ExternalId: projectId,
        RoleSessionName: `eventstreams-${target.streamId}`,
        DurationSeconds: 3600,
      },
    ]);
    await receiveMessages(queueUrl, 10);
  });

  it("keeps a project's order on a FIFO topic", async () => {
    const { target, queueUrl, projectId } = await customerSetUp({ fifo: true });
    const batch = events(25, projectId);
    // Three calls, as the connector would make them: one after the other.
    for (const slice of [batch.slice(0, 10), batch.slice(10, 20), batch.slice(20)]) {
      expect((await sink.deliver(target, slice)).every((r) => r.outcome === "delivered")).toBe(true);
    }
    const messages = await receiveMessages(queueUrl, batch.length);
    expect(messages.map((m) => JSON.parse(m.Body ?? "{}").id)).toEqual(batch.map((e) => e.id));
  });

  it("reports an event too large for SNS as permanent and still delivers the others", async () => {
    const { target, queueUrl, projectId } = await customerSetUp();
    const [small, , other] = events(3, projectId);
    const [large] = events(1, projectId, { blob: "x".repeat(300 * 1024) });
    const results = await sink.deliver(target, [
      small as DomainEvent,
      large as DomainEvent,
      other as DomainEvent,
    ]);
    expect(results[0]).toEqual({ outcome: "delivered" });
    expect(results[1]).toMatchObject({ outcome: "permanent", code: "MessageTooLarge" });
    expect(results[2]).toEqual({ outcome: "delivered" });
    expect(await receiveMessages(queueUrl, 2)).toHaveLength(2);
  });

  it("reports a missing topic as a retryable misconfiguration with the AWS error code", async () => {
    const { target, projectId } = await customerSetUp();
    const missing = { ...target, config: { ...target.config, topicArn: `${target.config.topicArn}-gone` } };
    const [result] = await sink.deliver(missing, events(1, projectId));
    expect(result).toMatchObject({ outcome: "retryable", code: "NotFound", misconfiguration: true });
  });

  it("verifies a reachable topic and explains an unreachable one", async () => {
    const { target, queueUrl } = await customerSetUp();
    expect(await sink.verify(target)).toMatchObject({ ok: true });
    const [verification] = await receiveMessages(queueUrl, 1);
    expect(JSON.parse(verification?.Body ?? "{}")).toMatchObject({
      name: "EventStreamVerification",
      projectId: target.projectId,
    });

    const missing = { ...target, config: { ...target.config, topicArn: `${target.config.topicArn}-gone` } };
    const failed = await sink.verify(missing);
    expect(failed).toMatchObject({ ok: false, code: "NotFound" });
    if (!failed.ok) expect(failed.message).toContain(missing.config.topicArn);
  });
});
