import { randomUUID } from "node:crypto";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { Kafka, logLevel } from "kafkajs";
import type { StackEndpoints } from "../stack/settings";
import { waitFor } from "../util/wait-for";

/**
 * One event through every part of the local stack: Kafka in, SNS out, read back from SQS.
 * It is the smallest proof that the stack works; the full pipeline replaces its middle later.
 */
export async function smokeRoundTrip(endpoints: StackEndpoints, say: (line: string) => void): Promise<void> {
  const started = Date.now();
  // Region, endpoint and credentials come from the standard AWS environment.
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const suffix = randomUUID().slice(0, 8);

  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `demo-${suffix}` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `demo-${suffix}` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  say(`aws: topic ${TopicArn} delivers to queue ${QueueUrl}`);

  const kafka = new Kafka({
    clientId: "eventstreams-demo",
    brokers: [endpoints.kafkaBrokers],
    logLevel: logLevel.ERROR,
  });
  const topic = `demo.smoke.${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const event = {
    id: randomUUID(),
    name: "IdentityCreated",
    projectId: randomUUID(),
    timestamp: new Date().toISOString(),
  };
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: [{ key: event.projectId, value: JSON.stringify(event) }],
  });
  await producer.disconnect();
  say(`kafka: produced ${event.name} ${event.id} to ${topic}`);

  const consumer = kafka.consumer({ groupId: `demo-${suffix}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let forwarded = false;
  await consumer.run({
    eachMessage: async ({ message }) => {
      await sns.send(new PublishCommand({ TopicArn, Message: String(message.value) }));
      forwarded = true;
    },
  });
  await waitFor(() => forwarded, { timeoutMs: 30_000, description: "the consumer to forward the event" });
  await consumer.disconnect();

  const received = await waitFor(
    async () =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0]?.Body,
    { timeoutMs: 20_000, description: "the event on the SQS queue" },
  );
  if (JSON.parse(received).id !== event.id) throw new Error(`the queue returned another event: ${received}`);
  say(`sqs: received ${event.id} after ${Date.now() - started} ms end to end`);
}
