import { randomUUID } from "node:crypto";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { uniqueName } from "../../../support/unique";
import { createPublisherRole, createQueue } from "../../../test/support/aws-fixtures";
import { pollQueueIds, receivedIds } from "../../../test/support/received-ids";
import { receiveMessages } from "../../../test/support/sqs";
import { conformanceEvents, describeSinkConformance } from "../conformance";
import { createEventBridgeSink, eventBridgeSink } from "./index";

const events = new EventBridgeClient({});

/** The customer's bus, with a rule that sends every event of ours to a queue we read back. */
async function customerBus() {
  const projectId = randomUUID();
  const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: uniqueName("bus") }));
  if (!EventBusArn) throw new Error("the emulator returned no event bus ARN");
  const { queueUrl, queueArn } = await createQueue();
  const rule = uniqueName("all-ours");
  await events.send(
    new PutRuleCommand({
      Name: rule,
      EventBusName: EventBusArn,
      EventPattern: JSON.stringify({ source: [{ prefix: "eventstreams." }] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: rule,
      EventBusName: EventBusArn,
      Targets: [{ Id: "queue", Arn: queueArn }],
    }),
  );
  const roleArn = await createPublisherRole(projectId, EventBusArn);
  const target = {
    streamId: `es_${randomUUID().slice(0, 8)}`,
    projectId,
    config: { eventBusArn: EventBusArn, roleArn },
  };
  return { target, queueUrl };
}

const detailId = (body: Record<string, unknown>) => (body.detail as { id?: string } | undefined)?.id;

for (const transport of ["sdk", "lean"] as const)
  describeSinkConformance(`eventbridge (${transport} transport)`, {
    definition: eventBridgeSink,
    setUp: async () => {
      const { target, queueUrl } = await customerBus();
      return {
        sink: createEventBridgeSink({ transport, env: process.env }),
        target,
        failingTarget: {
          ...target,
          config: { ...target.config, eventBusArn: `${target.config.eventBusArn}-missing` },
        },
        rejectedEvent: (e) => ({ ...e, eventAttributes: { blob: "x".repeat(300 * 1024) } }),
        received: receivedIds(() => pollQueueIds(queueUrl, detailId)),
        secrets: [],
      };
    },
  });

describe("EventBridge sink", () => {
  it("puts each event with source eventstreams.<domain>, detail-type its name, detail the delivered event", async () => {
    const { target, queueUrl } = await customerBus();
    const sink = createEventBridgeSink({ env: process.env });
    const [event] = conformanceEvents(1, target.projectId);
    expect(await sink.deliver(target, [event as never])).toEqual([{ outcome: "delivered" }]);
    const [message] = await receiveMessages(queueUrl, 1);
    const envelope = JSON.parse(message?.Body ?? "{}");
    expect(envelope).toMatchObject({
      source: "eventstreams.identities",
      "detail-type": "IdentityCreated",
      detail: { id: event?.id, projectId: target.projectId, eventAttributes: event?.eventAttributes },
    });
    await sink.close();
  });
});
