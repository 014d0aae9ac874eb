import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { parseArn } from "../aws/arn";
import type { AwsBatchService } from "../aws/batch/aws-batch-service";
import { AwsBatchSink, type AwsBatchSinkOptions } from "../aws/batch/aws-batch-sink";
import { defineAwsSink } from "../aws/batch/define-aws-sink";
import { answersInOrder } from "../aws/batch/entry-answers";
import {
  PUT_RECORDS_HEADERS,
  type PutRecordsOutput,
  putRecordsBody,
  readPutRecordsAnswer,
} from "./lean-put-records";

export interface KinesisConfig {
  /** `arn:aws:kinesis:<region>:<account>:stream/<name>` */
  streamArn: string;
  roleArn: string;
}

/**
 * Kinesis Data Streams PutRecords: one record per event (its delivered-event JSON), partition key
 * the project id, so a project's events land on one shard; calls go one after the other. 500
 * records and 5 MiB per call, 1 MiB per record, partition key included.
 */
export const kinesisService: AwsBatchService<
  KinesisConfig,
  PutRecordsRequestEntry,
  PutRecordsOutput,
  KinesisClient
> = {
  service: { endpointPrefix: "kinesis", sdkId: "Kinesis" },
  title: "Kinesis",
  operation: "PutRecords",
  resourceArn: (config) => config.streamArn,
  ordered: () => true,
  limits: { maxEntries: 500, maxBatchBytes: 5 * 1024 * 1024, maxEntryBytes: 1024 * 1024, unit: "record" },
  entry(message) {
    const data = Buffer.from(message.body);
    return {
      entry: { Data: data, PartitionKey: message.projectId },
      bytes: data.length + Buffer.byteLength(message.projectId),
    };
  },
  address: (config) => parseArn(config.streamArn).resource.replace(/^stream\//, ""),
  answers: (output, ids) => answersInOrder(output.Records, ids),
  sdk: {
    client: (settings) => new KinesisClient(settings),
    send: (client, name, records) =>
      client.send(new PutRecordsCommand({ StreamName: name, Records: records })),
  },
  lean: {
    request: (name, records) => ({
      headers: { ...PUT_RECORDS_HEADERS },
      body: putRecordsBody(name, records),
    }),
    read: readPutRecordsAnswer,
  },
  permissions: "kinesis:PutRecords on the stream",
  resourceKind: "stream",
};

export const kinesisSink = defineAwsSink({
  type: "kinesis",
  description: "Put records on an Amazon Kinesis data stream (partition key: the project id)",
  service: kinesisService,
  resource: {
    field: "streamArn",
    schema: {
      type: "string",
      maxLength: 200,
      pattern: "^arn:aws:kinesis:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:stream/[a-zA-Z0-9_.-]{1,128}$",
      errorMessage: "must be a Kinesis stream ARN: arn:aws:kinesis:<region>:<12-digit account>:stream/<name>",
    },
  },
});

export const createKinesisSink = (options: AwsBatchSinkOptions) => new AwsBatchSink(kinesisService, options);
