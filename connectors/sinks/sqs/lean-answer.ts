import type { BatchEntryOutput } from "../aws/errors";

/** An error answer of SQS, shaped as the SDK throws it: `Code` and `name` are what classifyAwsError reads. */
export class SqsErrorAnswer extends Error {
  readonly Code: string;
  readonly $metadata: { httpStatusCode: number };

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * Reads SQS's AWS JSON answer to SendMessageBatch: `{Successful, Failed}` on 200; otherwise an error,
 * its code from the query-compatible header the SDK asked for (`x-amzn-query-error`, given here as
 * `__type` when absent), thrown as SqsErrorAnswer. A body that is neither is `MalformedResponse`.
 */
export function readSendMessageBatchAnswer(
  status: number,
  body: string,
  queryError?: string,
): BatchEntryOutput {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300 && parsed && (parsed.Successful || parsed.Failed)) {
    return {
      Successful: ((parsed.Successful as { Id?: string }[] | undefined) ?? []).map((s) => ({ Id: s.Id })),
      Failed: (
        (parsed.Failed as
          | { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[]
          | undefined) ?? []
      ).map((f) => ({ Id: f.Id, Code: f.Code, Message: f.Message, SenderFault: f.SenderFault })),
    };
  }
  const type = typeof parsed?.__type === "string" ? (parsed.__type.split("#").pop() as string) : undefined;
  const code = queryError?.split(";")[0] ?? type;
  if (code) throw new SqsErrorAnswer(status, code, String(parsed?.message ?? parsed?.Message ?? code));
  throw new SqsErrorAnswer(
    status,
    status >= 500 ? "ServiceUnavailable" : "MalformedResponse",
    `SQS answered ${status} with a body that is not a SendMessageBatch answer`,
  );
}
