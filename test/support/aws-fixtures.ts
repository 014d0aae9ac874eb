import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { aws } from "./clients";
import { uniqueName } from "./unique";

export interface TopicWithQueue {
  topicArn: string;
  queueUrl: string;
  queueArn: string;
}

/** An SNS topic with an SQS queue subscribed (raw delivery), as a customer would set it up. */
export async function createTopicWithQueue(options: { fifo?: boolean } = {}): Promise<TopicWithQueue> {
  const suffix = options.fifo ? ".fifo" : "";
  const fifoAttributes = options.fifo ? { FifoTopic: "true", ContentBasedDeduplication: "false" } : undefined;
  const { TopicArn } = await aws
    .sns()
    .send(new CreateTopicCommand({ Name: `${uniqueName("events")}${suffix}`, Attributes: fifoAttributes }));
  const { QueueUrl } = await aws.sqs().send(
    new CreateQueueCommand({
      QueueName: `${uniqueName("events")}${suffix}`,
      Attributes: options.fifo ? { FifoQueue: "true" } : undefined,
    }),
  );
  if (!TopicArn || !QueueUrl) throw new Error("the emulator returned no topic ARN or queue URL");
  const { Attributes } = await aws
    .sqs()
    .send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const queueArn = Attributes?.QueueArn;
  if (!queueArn) throw new Error("the emulator returned no queue ARN");
  await aws.sqs().send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "sns.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: queueArn,
            },
          ],
        }),
      },
    }),
  );
  await aws.sns().send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  return { topicArn: TopicArn, queueUrl: QueueUrl, queueArn };
}

/** An IAM role whose trust policy admits our account only with ExternalId = projectId. */
export async function createPublisherRole(projectId: string, topicArn: string): Promise<string> {
  const { Role } = await aws.iam().send(
    new CreateRoleCommand({
      RoleName: uniqueName("event-streamer"),
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "123456789012" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": projectId } },
          },
        ],
      }),
      Description: `publishes to ${topicArn}`,
    }),
  );
  if (!Role?.Arn) throw new Error("the emulator returned no role ARN");
  return Role.Arn;
}
