import { type _Record, FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { parseArn } from "../aws/arn";
import type { AwsBatchService } from "../aws/batch/aws-batch-service";
import { AwsBatchSink, type AwsBatchSinkOptions } from "../aws/batch/aws-batch-sink";
import { defineAwsSink } from "../aws/batch/define-aws-sink";
import { answersInOrder } from "../aws/batch/entry-answers";
import {
  PUT_RECORD_BATCH_HEADERS,
  type PutRecordBatchOutput,
  putRecordBatchBody,
  readPutRecordBatchAnswer,
} from "./lean-put-record-batch";

export interface FirehoseConfig {
  /** `arn:aws:firehose:<region>:<account>:deliverystream/<name>` */
  deliveryStreamArn: string;
  roleArn: string;
}

/**
 * Firehose PutRecordBatch: one newline-terminated JSON record per event, so the objects Firehose
 * writes (S3, Redshift, Snowflake...) are newline-delimited JSON; 500 records and 4 MiB per call,
 * 1,000 KiB per record.
 */
export const firehoseService: AwsBatchService<FirehoseConfig, _Record, PutRecordBatchOutput, FirehoseClient> =
  {
    service: { endpointPrefix: "firehose", sdkId: "Firehose" },
    title: "Firehose",
    operation: "PutRecordBatch",
    resourceArn: (config) => config.deliveryStreamArn,
    limits: { maxEntries: 500, maxBatchBytes: 4 * 1024 * 1024, maxEntryBytes: 1000 * 1024, unit: "record" },
    entry(message) {
      const data = Buffer.from(`${message.body}\n`);
      return { entry: { Data: data }, bytes: data.length };
    },
    address: (config) => parseArn(config.deliveryStreamArn).resource.replace(/^deliverystream\//, ""),
    answers: (output, ids) => answersInOrder(output.RequestResponses, ids),
    sdk: {
      client: (settings) => new FirehoseClient(settings),
      send: (client, name, records) =>
        client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records })),
    },
    lean: {
      request: (name, records) => ({
        headers: { ...PUT_RECORD_BATCH_HEADERS },
        body: putRecordBatchBody(
          name,
          records.map((r) => r.Data as Uint8Array),
        ),
      }),
      read: readPutRecordBatchAnswer,
    },
    permissions: "firehose:PutRecordBatch on the delivery stream",
    resourceKind: "delivery stream",
  };

export const firehoseSink = defineAwsSink({
  type: "firehose",
  description: "Put newline-delimited JSON records on an Amazon Data Firehose stream",
  service: firehoseService,
  resource: {
    field: "deliveryStreamArn",
    schema: {
      type: "string",
      maxLength: 160,
      pattern: "^arn:aws:firehose:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:deliverystream/[a-zA-Z0-9_.-]{1,64}$",
      errorMessage:
        "must be a Firehose delivery stream ARN: arn:aws:firehose:<region>:<12-digit account>:deliverystream/<name>",
    },
  },
});

export const createFirehoseSink = (options: AwsBatchSinkOptions) =>
  new AwsBatchSink(firehoseService, options);
