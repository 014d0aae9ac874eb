import {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { parseArn } from "../aws/arn";
import type { AwsBatchService } from "../aws/batch/aws-batch-service";
import { AwsBatchSink, type AwsBatchSinkOptions } from "../aws/batch/aws-batch-sink";
import { defineAwsSink } from "../aws/batch/define-aws-sink";
import { answersById } from "../aws/batch/entry-answers";
import { fifoIds, messageAttributes } from "../aws/batch/message-attributes";
import { readSendMessageBatchAnswer } from "./lean-answer";
import { SEND_MESSAGE_BATCH_HEADERS, sendMessageBatchBody } from "./lean-send-message-batch";

export interface SqsConfig {
  /** `arn:aws:sqs:<region>:<account>:<name>`; a name ending in `.fifo` keeps a project's order. */
  queueArn: string;
  roleArn: string;
}

type Output = Pick<SendMessageBatchCommandOutput, "Successful" | "Failed">;

const fifo = (config: SqsConfig) => config.queueArn.endsWith(".fifo");

/** SQS SendMessageBatch: 10 messages and 256 KiB per call, body and attributes together. */
export const sqsService: AwsBatchService<SqsConfig, SendMessageBatchRequestEntry, Output, SQSClient> = {
  service: { endpointPrefix: "sqs", sdkId: "SQS" },
  title: "SQS",
  operation: "SendMessageBatch",
  resourceArn: (config) => config.queueArn,
  ordered: fifo,
  limits: { maxEntries: 10, maxBatchBytes: 256 * 1024, maxEntryBytes: 256 * 1024, unit: "message" },
  entry(message, id, config) {
    const { attributes, bytes } = messageAttributes(message);
    return {
      entry: {
        Id: id,
        MessageBody: message.body,
        MessageAttributes: attributes,
        ...(fifo(config) ? fifoIds(message) : {}),
      },
      bytes: Buffer.byteLength(message.body) + bytes,
    };
  },
  /** Calls name the queue by URL: looked up once per stream, as the customer's role. */
  async address(config, client) {
    const { account, resource } = parseArn(config.queueArn);
    const { QueueUrl } = await (await client()).send(
      new GetQueueUrlCommand({ QueueName: resource, QueueOwnerAWSAccountId: account }),
    );
    if (!QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${config.queueArn}`);
    return QueueUrl;
  },
  answers: answersById,
  sdk: {
    client: (settings) => new SQSClient(settings),
    send: (client, queueUrl, entries) =>
      client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })),
  },
  lean: {
    request: (queueUrl, entries) => ({
      headers: { ...SEND_MESSAGE_BATCH_HEADERS },
      body: sendMessageBatchBody(queueUrl, entries),
    }),
    read: readSendMessageBatchAnswer,
  },
  permissions: "sqs:GetQueueUrl and sqs:SendMessage on the queue",
  resourceKind: "queue",
};

export const sqsSink = defineAwsSink({
  type: "sqs",
  description: "Send to an AWS SQS queue through a role the customer lets us assume",
  service: sqsService,
  resource: {
    field: "queueArn",
    schema: {
      type: "string",
      maxLength: 160,
      pattern: "^arn:aws:sqs:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:[A-Za-z0-9_-]{1,80}(\\.fifo)?$",
      errorMessage: "must be an SQS queue ARN: arn:aws:sqs:<region>:<12-digit account>:<queue name>",
    },
  },
});

export const createSqsSink = (options: AwsBatchSinkOptions) => new AwsBatchSink(sqsService, options);
