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
  const topicArn = await createTopic(options);
  const queue = await createQueue(options);
  await subscribeQueue(topicArn, queue.queueArn);
  return { topicArn, ...queue };
}

export async function createTopic(options: { fifo?: boolean } = {}): Promise<string> {
  const { TopicArn } = await aws.sns().send(
    new CreateTopicCommand({
      Name: `${uniqueName("events")}${options.fifo ? ".fifo" : ""}`,
      Attributes: options.fifo ? { FifoTopic: "true", ContentBasedDeduplication: "false" } : undefined,
    }),
  );
  if (!TopicArn) throw new Error("the emulator returned no topic ARN");
  return TopicArn;
}

export async function createQueue(
  options: { fifo?: boolean } = {},
): Promise<{ queueUrl: string; queueArn: string }> {
  const { QueueUrl } = await aws.sqs().send(
    new CreateQueueCommand({
      QueueName: `${uniqueName("events")}${options.fifo ? ".fifo" : ""}`,
      Attributes: options.fifo ? { FifoQueue: "true" } : undefined,
    }),
  );
  if (!QueueUrl) throw new Error("the emulator returned no queue URL");
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
  return { queueUrl: QueueUrl, queueArn };
}

/** Raw delivery: the queue receives exactly the message body we published. */
export async function subscribeQueue(topicArn: string, queueArn: string): Promise<void> {
  await aws.sns().send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
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
