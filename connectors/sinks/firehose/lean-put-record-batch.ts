import type { PutRecordBatchCommandOutput } from "@aws-sdk/client-firehose";
import { readJsonListAnswer } from "../aws/lean/json-answer";
import type { AwsAnswer } from "../aws/lean/signed-requests";

export type PutRecordBatchOutput = Pick<PutRecordBatchCommandOutput, "RequestResponses">;

/** The headers of PutRecordBatch in Firehose's AWS JSON 1.1 protocol, as the SDK sends them. */
export const PUT_RECORD_BATCH_HEADERS = {
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": "Firehose_20150804.PutRecordBatch",
} as const;

/**
 * A PutRecordBatch request's JSON body, built directly (records' data in base64). Differential
 * tests hold it equal to the SDK serializer's for the same input (lean-put-record-batch.test.ts).
 */
export function putRecordBatchBody(deliveryStreamName: string, records: readonly Uint8Array[]): string {
  return JSON.stringify({
    DeliveryStreamName: deliveryStreamName,
    Records: records.map((data) => ({ Data: Buffer.from(data).toString("base64") })),
  });
}

/** Firehose's answer to PutRecordBatch: per-record responses in order on 200, else the SDK's error. */
export const readPutRecordBatchAnswer = (answer: AwsAnswer): PutRecordBatchOutput =>
  readJsonListAnswer(answer, { service: "Firehose", operation: "PutRecordBatch", list: "RequestResponses" });
