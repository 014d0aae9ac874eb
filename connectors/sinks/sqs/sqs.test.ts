import { randomUUID } from "node:crypto";
import { DeleteQueueCommand } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { aws } from "../../../support/clients";
import { createPublisherRole, createQueue } from "../../../test/support/aws-fixtures";
import { pollQueueIds, receivedIds } from "../../../test/support/received-ids";
import { receiveMessages } from "../../../test/support/sqs";
import { conformanceEvents, describeSinkConformance } from "../conformance";
import { createSqsSink, sqsSink } from "./index";

async function customerQueue(options: { fifo?: boolean } = {}) {
  const projectId = randomUUID();
  const { queueUrl, queueArn } = await createQueue(options);
  const roleArn = await createPublisherRole(projectId, queueArn);
  const target = { streamId: `es_${randomUUID().slice(0, 8)}`, projectId, config: { queueArn, roleArn } };
  return { target, queueUrl };
}

for (const transport of ["sdk", "lean"] as const)
  describeSinkConformance(`sqs (${transport} transport)`, {
    definition: sqsSink,
    setUp: async () => {
      const { target, queueUrl } = await customerQueue();
      return {
        sink: createSqsSink({ transport, env: process.env }),
        target,
        failingTarget: {
          ...target,
          config: { ...target.config, queueArn: `${target.config.queueArn}-missing` },
        },
        rejectedEvent: (e) => ({ ...e, eventAttributes: { blob: "x".repeat(300 * 1024) } }),
        received: receivedIds(() => pollQueueIds(queueUrl)),
        secrets: [],
      };
    },
  });

describe("SQS sink", () => {
  const assumed: { RoleArn?: string; ExternalId?: string }[] = [];
  const sts = new STSClient({});
  sts.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "AssumeRoleCommand") assumed.push(args.input as never);
      return next(args);
    },
    { step: "initialize", name: "recordAssumeRole" },
  );
  const sink = createSqsSink({ sts, env: process.env });
  afterAll(() => sink.close());

  it("sends as the customer's role (ExternalId = project id), in order on a FIFO queue", async () => {
    const { target, queueUrl } = await customerQueue({ fifo: true });
    const events = conformanceEvents(12, target.projectId);
    expect((await sink.deliver(target, events)).every((r) => r.outcome === "delivered")).toBe(true);
    const messages = await receiveMessages(queueUrl, events.length);
    expect(messages.map((m) => JSON.parse(m.Body ?? "{}").id)).toEqual(events.map((e) => e.id));
    expect(assumed).toContainEqual(
      expect.objectContaining({ RoleArn: target.config.roleArn, ExternalId: target.projectId }),
    );
  });
});

describe("SQS sink on the lean transport", () => {
  it("maps a queue deleted under it to the same delivery result as through the SDK", async () => {
    const results = [];
    for (const transport of ["sdk", "lean"] as const) {
      const sink = createSqsSink({ transport, env: process.env });
      const { target, queueUrl } = await customerQueue();
      const events = conformanceEvents(2, target.projectId);
      expect((await sink.deliver(target, events)).every((r) => r.outcome === "delivered")).toBe(true);
      await aws.sqs().send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      const [result] = await sink.deliver(target, conformanceEvents(1, target.projectId));
      results.push(result && { ...result, message: undefined });
      await sink.close();
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]).toMatchObject({ outcome: "retryable" });
  });
});
