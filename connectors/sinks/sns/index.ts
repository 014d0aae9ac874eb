import {
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
  SNSClient,
} from "@aws-sdk/client-sns";
import type { AwsBatchService } from "../aws/batch/aws-batch-service";
import { AwsBatchSink, type AwsBatchSinkOptions } from "../aws/batch/aws-batch-sink";
import { defineAwsSink } from "../aws/batch/define-aws-sink";
import { answersById } from "../aws/batch/entry-answers";
import { fifoIds, messageAttributes } from "../aws/batch/message-attributes";
import { encodeQuery } from "../aws/lean/aws-query";
import { parseTopicArn, TOPIC_ARN_MAX_LENGTH, TOPIC_ARN_PATTERN } from "./arn";
import { readPublishBatchAnswer } from "./lean-answer";
import { publishBatchParams } from "./lean-publish-batch";

export interface SnsConfig {
  /** The customer's topic; its region is where we publish. A `.fifo` topic keeps a project's order. */
  topicArn: string;
  /** The role we assume, with the project id as ExternalId, to publish to the topic. */
  roleArn: string;
}

type Output = Pick<PublishBatchCommandOutput, "Successful" | "Failed">;

/**
 * SNS PublishBatch: the delivered-event JSON as each message, attributes that subscription
 * filter policies can match; 10 messages and 256 KiB per call, body and attributes together.
 */
export const snsService: AwsBatchService<SnsConfig, PublishBatchRequestEntry, Output, SNSClient> = {
  service: { endpointPrefix: "sns", sdkId: "SNS" },
  title: "SNS",
  operation: "PublishBatch",
  resourceArn: (config) => config.topicArn,
  ordered: (config) => parseTopicArn(config.topicArn).fifo,
  limits: { maxEntries: 10, maxBatchBytes: 256 * 1024, maxEntryBytes: 256 * 1024, unit: "message" },
  entry(message, id, config) {
    const { attributes, bytes } = messageAttributes(message);
    return {
      entry: {
        Id: id,
        Message: message.body,
        MessageAttributes: attributes,
        ...(config.topicArn.endsWith(".fifo") ? fifoIds(message) : {}),
      },
      bytes: Buffer.byteLength(message.body) + bytes,
    };
  },
  address: (config) => config.topicArn,
  answers: answersById,
  sdk: {
    client: (settings) => new SNSClient(settings),
    send: (client, topicArn, entries) =>
      client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries })),
  },
  lean: {
    request: (topicArn, entries) => ({
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: encodeQuery(publishBatchParams(topicArn, entries)),
    }),
    read: readPublishBatchAnswer,
  },
  permissions: "sns:Publish on the topic",
  resourceKind: "topic",
};

/** AWS SNS: assume the customer's role (ExternalId = project id), then PublishBatch to their topic. */
export const snsSink = defineAwsSink({
  type: "sns",
  description: "Publish to an AWS SNS topic through a role the customer lets us assume",
  service: snsService,
  resource: {
    field: "topicArn",
    schema: {
      type: "string",
      maxLength: TOPIC_ARN_MAX_LENGTH,
      pattern: TOPIC_ARN_PATTERN,
      errorMessage: "must be an SNS topic ARN: arn:aws:sns:<region>:<12-digit account>:<topic name>",
    },
  },
});

export const createSnsSink = (options: AwsBatchSinkOptions) => new AwsBatchSink(snsService, options);
