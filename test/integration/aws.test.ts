import { randomUUID } from "node:crypto";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { waitFor } from "../../src/util/wait-for";
import { aws } from "../../support/clients";
import { createPublisherRole, createTopicWithQueue } from "../support/aws-fixtures";

async function receiveOne(queueUrl: string): Promise<Message> {
  const sqs = aws.sqs();
  return waitFor(
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      const message = Messages?.[0];
      if (message)
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      return message;
    },
    { timeoutMs: 20_000, description: `a message on ${queueUrl}` },
  );
}

describe("AWS emulator (SNS, SQS, STS, IAM)", () => {
  it("delivers an SNS publish to a subscribed SQS queue with raw delivery", async () => {
    const { topicArn, queueUrl } = await createTopicWithQueue();
    const body = JSON.stringify({ hello: randomUUID() });
    await aws.sns().send(new PublishCommand({ TopicArn: topicArn, Message: body }));
    expect((await receiveOne(queueUrl)).Body).toBe(body);
  });

  it("assumes a role with an ExternalId and publishes with the temporary credentials", async () => {
    const projectId = randomUUID();
    const { topicArn, queueUrl } = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, topicArn);

    const { Credentials, AssumedRoleUser } = await aws.sts().send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: "eventstreams-test",
        ExternalId: projectId,
      }),
    );
    expect(AssumedRoleUser?.Arn).toContain("eventstreams-test");
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) throw new Error("no credentials returned");

    const asCustomer = new SNSClient({
      credentials: {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      },
    });
    const body = JSON.stringify({ projectId });
    await asCustomer.send(new PublishCommand({ TopicArn: topicArn, Message: body }));
    expect((await receiveOne(queueUrl)).Body).toBe(body);
  });
});
