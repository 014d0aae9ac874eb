import type { PutRecordsCommandOutput, PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { readJsonListAnswer } from "../aws/lean/json-answer";
import type { AwsAnswer } from "../aws/lean/signed-requests";

/** The headers of PutRecords in Kinesis's AWS JSON 1.1 protocol, as the SDK sends them. */
export const PUT_RECORDS_HEADERS = {
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": "Kinesis_20131202.PutRecords",
} as const;

/**
 * A PutRecords request's JSON body, built directly (records' data in base64). Differential tests
 * hold it equal to the SDK serializer's for the same input (lean-put-records.test.ts).
 */
export function putRecordsBody(streamName: string, records: readonly PutRecordsRequestEntry[]): string {
  return JSON.stringify({
    Records: records.map((r) => ({
      Data: Buffer.from(r.Data as Uint8Array).toString("base64"),
      PartitionKey: r.PartitionKey,
    })),
    StreamName: streamName,
  });
}

export type PutRecordsOutput = Pick<PutRecordsCommandOutput, "Records">;

/** Kinesis's answer to PutRecords: one result per record, in order, else the SDK's error. */
export const readPutRecordsAnswer = (answer: AwsAnswer): PutRecordsOutput =>
  readJsonListAnswer(answer, { service: "Kinesis", operation: "PutRecords", list: "Records" });
