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

/** An error answer of Firehose, shaped as the SDK throws it (classifyAwsError reads `Code` or `name`). */
export class FirehoseErrorAnswer extends Error {
  readonly Code: string;
  readonly $metadata: { httpStatusCode: number };

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface PutRecordBatchAnswer {
  RequestResponses: { ErrorCode?: string; ErrorMessage?: string }[];
}

/**
 * Reads Firehose's answer to PutRecordBatch: per-record responses in order on 200; otherwise an
 * error (`__type`, `message`) thrown as FirehoseErrorAnswer; a body that is neither is
 * `MalformedResponse` (or `ServiceUnavailable` on a 5xx).
 */
export function readPutRecordBatchAnswer(status: number, body: string): PutRecordBatchAnswer {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300 && Array.isArray(parsed?.RequestResponses)) {
    return {
      RequestResponses: (parsed.RequestResponses as { ErrorCode?: string; ErrorMessage?: string }[]).map(
        (r) => ({
          ...(r.ErrorCode ? { ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage } : {}),
        }),
      ),
    };
  }
  const type = typeof parsed?.__type === "string" ? (parsed.__type.split("#").pop() as string) : undefined;
  if (type) throw new FirehoseErrorAnswer(status, type, String(parsed?.message ?? parsed?.Message ?? type));
  throw new FirehoseErrorAnswer(
    status,
    status >= 500 ? "ServiceUnavailable" : "MalformedResponse",
    `Firehose answered ${status} with a body that is not a PutRecordBatch answer`,
  );
}
