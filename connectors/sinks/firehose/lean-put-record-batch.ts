import { jsonErrorAnswer, parseJsonAnswer } from "../aws/lean/json-answer";

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

export interface PutRecordBatchAnswer {
  RequestResponses: { ErrorCode?: string; ErrorMessage?: string }[];
}

/** Reads Firehose's answer to PutRecordBatch: per-record responses in order on 200, else the SDK's error. */
export function readPutRecordBatchAnswer(status: number, body: string): PutRecordBatchAnswer {
  const parsed = parseJsonAnswer(body);
  if (status >= 200 && status < 300 && Array.isArray(parsed?.RequestResponses)) {
    return {
      RequestResponses: (parsed.RequestResponses as { ErrorCode?: string; ErrorMessage?: string }[]).map(
        (r) => ({
          ...(r.ErrorCode ? { ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage } : {}),
        }),
      ),
    };
  }
  throw jsonErrorAnswer("Firehose", "PutRecordBatch", status, parsed);
}
