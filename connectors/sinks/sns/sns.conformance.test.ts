import { randomUUID } from "node:crypto";
import { createPublisherRole, createTopicWithQueue } from "../../../test/support/aws-fixtures";
import { pollQueueIds, receivedIds } from "../../../test/support/received-ids";
import { describeSinkConformance } from "../conformance";
import { createSnsSink, snsSink } from "./index";

for (const transport of ["sdk", "lean"] as const)
  describeSinkConformance(`sns (${transport} transport)`, {
    definition: snsSink,
    setUp: async () => {
      const projectId = randomUUID();
      const { topicArn, queueUrl } = await createTopicWithQueue();
      const roleArn = await createPublisherRole(projectId, topicArn);
      const target = { streamId: `es_${randomUUID().slice(0, 8)}`, projectId, config: { topicArn, roleArn } };
      return {
        sink: createSnsSink({ transport, env: process.env }),
        target,
        failingTarget: { ...target, config: { topicArn: `${topicArn}-missing`, roleArn } },
        rejectedEvent: (e) => ({ ...e, eventAttributes: { blob: "x".repeat(300 * 1024) } }),
        received: receivedIds(() => pollQueueIds(queueUrl)),
        secrets: [],
      };
    },
  });
