import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * What a customer sets up on their AWS side to receive events: an SNS topic, an SQS queue
 * subscribed to it (raw delivery), and an IAM role we may assume only with their project id as
 * ExternalId. The demo uses it against the emulator, and so do the tests.
 */

// Region, endpoint and credentials come from the standard AWS environment.
const aws = { sns: () => new SNSClient({}), sqs: () => new SQSClient({}), iam: () => new IAMClient({}) };

export interface TopicWithQueue {
  topicArn: string;
  queueUrl: string;
  queueArn: string;
}

/** An SNS topic with an SQS queue subscribed (raw delivery), as a customer would set it up. */
export async function createTopicWithQueue(
  name: string,
  options: { fifo?: boolean } = {},
): Promise<TopicWithQueue> {
  const topicArn = await createTopic(name, options);
  const queue = await createQueue(name, options);
  await subscribeQueue(topicArn, queue.queueArn);
  return { topicArn, ...queue };
}

export async function createTopic(name: string, options: { fifo?: boolean } = {}): Promise<string> {
  const { TopicArn } = await aws.sns().send(
    new CreateTopicCommand({
      Name: `${name}${options.fifo ? ".fifo" : ""}`,
      Attributes: options.fifo ? { FifoTopic: "true", ContentBasedDeduplication: "false" } : undefined,
    }),
  );
  if (!TopicArn) throw new Error("the emulator returned no topic ARN");
  return TopicArn;
}

export async function createQueue(
  name: string,
  options: { fifo?: boolean } = {},
): Promise<{ queueUrl: string; queueArn: string }> {
  const { QueueUrl } = await aws.sqs().send(
    new CreateQueueCommand({
      QueueName: `${name}${options.fifo ? ".fifo" : ""}`,
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
export async function createPublisherRole(
  name: string,
  projectId: string,
  topicArn: string,
): Promise<string> {
  const { Role } = await aws.iam().send(
    new CreateRoleCommand({
      RoleName: name,
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
